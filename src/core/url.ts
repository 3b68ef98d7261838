/**
 * URLs: the one http(s) check, the one redaction, and the split of an endpoint into what the
 * client builds on and what must ride along with every request.
 *
 * Redaction: a user may put credentials in an endpoint (`http://user:secret@host/v1`,
 * `...?api_key=K`, a signed `...?sig=...`) or in HF_ENDPOINT. Every URL written to a file
 * (manifests, logs) or printed (stderr, error messages) goes through `redactUrl` /
 * `redactUrlsIn`, so the secret reaches the server and nothing else.
 */

/** True for an absolute http:// or https:// URL. */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** What a redacted secret is replaced with (a word that is valid in userinfo and query values). */
export const REDACTED = 'REDACTED';

/**
 * Query parameter names that carry secrets, compared lower-case with `-` and `_` removed
 * (`api_key`, `API-KEY` and `apikey` are one name). Names merely containing token, secret,
 * password, apikey, signature or credential count too (`x-goog-api-key`, `refresh_token`).
 * `api-version` and the like are kept: servers need them and they say which deployment answered.
 */
const SECRET_NAMES = new Set(['key', 'apikey', 'token', 'accesstoken', 'sig', 'signature', 'password', 'passwd', 'pwd', 'secret', 'auth', 'authorization', 'code', 'session', 'sessionid', 'credential', 'credentials']);
const SECRET_PARTS = ['token', 'secret', 'password', 'apikey', 'signature', 'credential'];

export function isSecretParam(name: string): boolean {
  let n: string;
  try {
    n = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    n = name;
  }
  n = n.toLowerCase().replace(/[-_\s]/g, '');
  return SECRET_NAMES.has(n) || SECRET_PARTS.some((p) => n.includes(p));
}

/** `?a=1&api_key=K` -> `?a=1&api_key=REDACTED`, leaving every other byte as it was. */
function redactQuery(search: string): string {
  if (search.length <= 1) return search;
  const parts = search.slice(1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    return eq >= 0 && isSecretParam(name) ? `${name}=${REDACTED}` : pair;
  });
  return `?${parts.join('&')}`;
}

/**
 * `scheme://user:pass@` -> `scheme://REDACTED@` on text that may not even parse as a URL; without
 * a scheme (`user:pass@host/v1`, a mistyped --endpoint quoted back in an error) the same.
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/|)[^/?#\s]*@/i;

/**
 * A URL fit for files and messages: credentials (`user:password@`) and the values of
 * secret-looking query parameters replaced by REDACTED; the fragment dropped; everything else
 * (host, path, `api-version=...`) kept as given. A URL without secrets comes back unchanged.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const noFragment = hash >= 0 ? url.slice(0, hash) : url;
  const q = noFragment.indexOf('?');
  const head = (q >= 0 ? noFragment.slice(0, q) : noFragment).replace(USERINFO, `$1${REDACTED}@`);
  return head + (q >= 0 ? redactQuery(noFragment.slice(q)) : '');
}

/**
 * Absolute URLs inside free text (error messages, log lines): up to whitespace or a quote, and
 * not ending in the punctuation of the sentence around it (`at http://h/v1?key=K, round 1`).
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`.,;:!?)\]}]/gi;

/** `text` with every URL in it passed through `redactUrl`. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}

/** An endpoint split for the request: what the client appends its route to, and what it would lose. */
export interface EndpointParts {
  /** scheme://host[:port]/path: no credentials, no query, no fragment. */
  readonly base: string;
  /** `?api-version=...` as given (secrets included: they go to the server), or ''. */
  readonly query: string;
  /** `Basic ...` from `user:password@`, or undefined. */
  readonly basicAuth?: string;
}

/**
 * Splits `url` so that `base + route + query` is the request URL: clients append their route
 * (`/chat/completions`) to the end of the string, which would land it inside the query string.
 */
export function splitEndpoint(url: string): EndpointParts {
  const u = new URL(url);
  const base = `${u.protocol}//${u.host}${u.pathname}`;
  const query = u.search;
  if (u.username === '' && u.password === '') return { base, query };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  return { base, query, basicAuth: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** `request` (the client's URL, without a query) with the endpoint's query appended. */
export function withEndpointQuery(requestUrl: string, query: string): string {
  if (query === '') return requestUrl;
  const q = requestUrl.indexOf('?');
  return q < 0 ? requestUrl + query : `${requestUrl}&${query.slice(1)}`;
}
