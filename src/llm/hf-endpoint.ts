/**
 * The hf backend's direct path to an OpenAI-compatible endpoint: one JSON POST, sent and read
 * exactly as @huggingface/inference 4.13.30 does it for `chatCompletion({ endpointUrl })`, without
 * the client's per-call work (provider resolution, argument copies, a Headers object, a fetch
 * wrapper closure, a chain of awaits). The CPU profile of the LLM bench put that work at about a
 * third of the engine process's CPU per decision (bench/README.md).
 *
 * What is copied from the client (node_modules/@huggingface/inference/dist/esm):
 * - URL: `HFInferenceConversationalTask.makeUrl` (providers/hf-inference.js): trailing slashes
 *   dropped, then `/chat/completions` after `/v1`, or `/v1/chat/completions` unless present;
 * - headers: `Authorization: Bearer <token>` when there is a token, `Content-Type:
 *   application/json`, `User-Agent: @huggingface/inference/<version>` (lib/makeRequestOptions.js);
 * - body: the call's fields without `model`, then `model` last (`preparePayload`);
 * - reply: `innerRequest` (utils/request.js): a non-2xx answer becomes an
 *   error (EndpointHttpError here) with the server's `error` / `detail` / `message`, or the
 *   text of a text/plain body; a 2xx JSON body is parsed; anything else comes back as a Blob.
 * tests/llm/hf-endpoint.test.ts sends the same calls both ways and compares the requests byte
 * for byte, and the errors and replies.
 */
import type { CompletionRequest } from '../core/types.ts';

/**
 * A non-2xx answer, with the message the client's InferenceClientProviderApiError would carry
 * (the hf backend maps both the same way). Its own class so that the direct path never loads the
 * client (~70 ms of CPU at start-up).
 */
export class EndpointHttpError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ProviderApiError';
    this.status = status;
  }
}

/** The client version pinned in package.json; the byte-for-byte test fails if it drifts. */
const CLIENT_VERSION = '4.13.30';
const USER_AGENT = [`@huggingface/inference/${CLIENT_VERSION}`, typeof navigator !== 'undefined' ? navigator.userAgent : undefined]
  .filter((x) => x !== undefined)
  .join(' ');

/** The request URL for an endpoint base (no query): the client's route rule. */
export function endpointRoute(base: string): string {
  let url = base.trim().replace(/\/+$/, '');
  if (url.endsWith('/v1')) url += '/chat/completions';
  else if (!url.endsWith('/chat/completions')) url += '/v1/chat/completions';
  return url;
}

/**
 * The request headers, as global fetch or the keep-alive transport sends the client's: names in
 * lower case and sorted (a Headers object iterates that way). A token wins over URL credentials.
 */
export function endpointHeaders(token: string | undefined, basicAuth: string | undefined): Readonly<Record<string, string>> {
  const auth = token ? `Bearer ${token}` : basicAuth;
  return { ...(auth !== undefined ? { authorization: auth } : {}), 'content-type': 'application/json', 'user-agent': USER_AGENT };
}

/** JSON of the parts of a body that repeat from call to call, by the object that carries them. */
const extraJson = new WeakMap<object, string>();
const formatJson = new WeakMap<object, string>();

/** `"a":1,"b":2,` for the extra fields (the same object on every call of a run), or ''. */
function extraPrefix(extra: Readonly<Record<string, unknown>> | undefined): string {
  if (!extra) return '';
  let json = extraJson.get(extra);
  if (json === undefined) {
    const whole = JSON.stringify({ ...extra });
    json = whole === '{}' ? '' : `${whole.slice(1, -1)},`;
    extraJson.set(extra, json);
  }
  return json;
}

function responseFormat(schema: NonNullable<CompletionRequest['jsonSchema']>): string {
  let json = formatJson.get(schema);
  if (json === undefined) {
    json = JSON.stringify({ type: 'json_schema', json_schema: { name: schema.name, schema: schema.schema, strict: true } });
    formatJson.set(schema, json);
  }
  return json;
}

/**
 * A body builder for one model: the JSON the client would send for `request`, the same bytes.
 * The system prompt (the same text for every agent) is escaped once and reused while it repeats.
 */
export function endpointBodyBuilder(model: string): (request: CompletionRequest) => string {
  const modelTail = `"model":${JSON.stringify(model)}}`;
  let firstRole = '';
  let firstContent = '';
  let firstJson = '';
  return (request) => {
    let messages = '[';
    const list = request.messages;
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (i === 0 && m.role === firstRole && m.content === firstContent && firstJson !== '') messages += firstJson;
      else {
        const json = JSON.stringify({ role: m.role, content: m.content });
        if (i === 0) [firstRole, firstContent, firstJson] = [m.role, m.content, json];
        messages += i === 0 ? json : `,${json}`;
      }
    }
    let body = `{${extraPrefix(request.extra)}"messages":${messages}],`;
    if (request.temperature !== undefined) body += `"temperature":${JSON.stringify(request.temperature)},`;
    if (request.maxTokens !== undefined) body += `"max_tokens":${JSON.stringify(request.maxTokens)},`;
    if (request.seed !== undefined) body += `"seed":${JSON.stringify(request.seed)},`;
    if (request.jsonSchema) body += `"response_format":${responseFormat(request.jsonSchema)},`;
    return body + modelTail;
  };
}

/** The client's error for a non-2xx answer (utils/request.js innerRequest), same message. */
async function httpError(response: Response): Promise<EndpointHttpError> {
  const contentType = response.headers.get('Content-Type');
  if (['application/json', 'application/problem+json'].some((ct) => contentType?.startsWith(ct))) {
    const output = (await response.json()) as { error?: unknown; detail?: unknown; message?: unknown };
    const text =
      typeof output.error === 'string' || typeof output.detail === 'string' || typeof output.message === 'string'
        ? (output.error ?? output.detail ?? output.message)
        : 'an HTTP error occurred when requesting the provider.';
    return new EndpointHttpError(`Failed to perform inference: ${String(text)}`, response.status);
  }
  const message = contentType?.startsWith('text/plain;') ? await response.text() : undefined;
  return new EndpointHttpError(`Failed to perform inference: ${message ?? 'an HTTP error occurred when requesting the provider'}`, response.status);
}

/** The reply as the client returns it: parsed JSON, or a Blob for any other 2xx body; throws its error otherwise. */
export async function endpointReply(response: Response): Promise<unknown> {
  if (!response.ok) throw await httpError(response);
  if (response.headers.get('Content-Type')?.startsWith('application/json')) return response.json();
  return response.blob();
}
