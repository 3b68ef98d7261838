/**
 * Which proxy a model call goes through, from the environment variables every HTTP tool reads
 * (curl, pip, Python requests, git): `HTTPS_PROXY` for https:// targets, `HTTP_PROXY` for
 * http:// ones (the lower-case spellings win, as in curl), and `NO_PROXY` for the hosts that are
 * reached directly. Node 20's own fetch and node:http ignore them, so without this a cluster
 * behind a proxy could not reach Hugging Face or a model server.
 *
 * NO_PROXY follows curl's reading (https://curl.se/docs/manpage.html#--noproxy): a
 * comma-separated list; `*` alone bypasses every host; `example.com` and `.example.com` both match
 * example.com and its subdomains; `host:port` matches that port only; IPv6 hosts without brackets.
 * CIDR ranges are not read (curl reads them since 7.86; an entry like 10.0.0.0/8 matches nothing).
 *
 * Credentials in a proxy URL (`http://user:pass@proxy:3128`) become the Proxy-Authorization
 * header and are never written or printed: `describe` and every message use redactUrl.
 */
import { AtpSimError } from '../core/errors.ts';
import { redactUrl } from '../core/url.ts';

export interface Proxy {
  /** scheme://host:port of the proxy (no credentials). */
  readonly url: URL;
  /** `Basic ...` from the proxy URL's `user:password@`, or undefined. */
  readonly authorization?: string;
  /** The variable it came from and the proxy URL redacted, for messages. */
  readonly describe: string;
}

export interface ProxySettings {
  readonly http: Proxy | null;
  readonly https: Proxy | null;
  /** NO_PROXY entries, lower-case: `*`, or [host suffix, port or ''] pairs. */
  readonly noProxy: ReadonlyArray<readonly [string, string]> | '*';
}

function envValue(env: NodeJS.ProcessEnv, name: string): [string, string] | null {
  for (const n of [name.toLowerCase(), name]) {
    const v = env[n]?.trim();
    if (v) return [n, v];
  }
  return null;
}

function parseProxy(env: NodeJS.ProcessEnv, name: string): Proxy | null {
  const found = envValue(env, name);
  if (!found) return null;
  const [variable, value] = found;
  // A bare `proxy:3128` is an http proxy, as curl reads it.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new AtpSimError('INVALID_ARGUMENT', `${variable}: must be an http:// or https:// proxy URL such as http://proxy.example:3128; got ${JSON.stringify(redactUrl(value))} (fix: correct or unset ${variable})`);
  }
  const authorization =
    url.username === '' && url.password === '' ? undefined : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const bare = new URL(`${url.protocol}//${url.host}`);
  return { url: bare, ...(authorization ? { authorization } : {}), describe: `${variable}=${redactUrl(value)}` };
}

function parseNoProxy(env: NodeJS.ProcessEnv): ProxySettings['noProxy'] {
  const raw = envValue(env, 'NO_PROXY')?.[1] ?? '';
  const entries = raw.split(/[,\s]+/).map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  if (entries.includes('*')) return '*';
  return entries.map((e): [string, string] => {
    const host = e.replace(/^\*?\./, '');
    // [v6]:port, host:port, or a bare IPv6 address (more than one colon, no port).
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
    if (bracket) return [bracket[1], bracket[2] ?? ''];
    const colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(':') === colon && /^\d+$/.test(host.slice(colon + 1))) return [host.slice(0, colon), host.slice(colon + 1)];
    return [host, ''];
  });
}

/** The proxy settings of an environment (throws on a proxy variable that is not a URL). */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  return { http: parseProxy(env, 'HTTP_PROXY'), https: parseProxy(env, 'HTTPS_PROXY'), noProxy: parseNoProxy(env) };
}

/** True when any proxy variable is set (hosted calls then leave global fetch, which ignores them). */
export function hasProxy(settings: ProxySettings): boolean {
  return settings.http !== null || settings.https !== null;
}

/** The proxy for a request to `target`, or null to connect directly. */
export function proxyFor(target: URL, settings: ProxySettings): Proxy | null {
  const proxy = target.protocol === 'https:' ? settings.https : target.protocol === 'http:' ? settings.http : null;
  if (!proxy) return null;
  if (settings.noProxy === '*') return null;
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const bypass = settings.noProxy.some(([suffix, p]) => (p === '' || p === port) && (host === suffix || host.endsWith(`.${suffix}`)));
  return bypass ? null : proxy;
}
