/**
 * JSON text of immutable objects, made from pieces already escaped. A network-style prompt
 * repeats the system prompt for every agent and each remembered round for `historyWindow`
 * rounds; its messages are recorded in decisions.jsonl, where escaping the same text again for
 * every record was the largest cost of a decision above the model call. A prompt's messages
 * know their JSON (a method under JSON_TEXT, made from the escaped pieces the style keeps), and
 * the run directory writer asks them for it (`stringifyRecord`).
 *
 * Invariant: `value[JSON_TEXT]()` returns exactly JSON.stringify(value), and the value never
 * changes. JSON escapes a string code unit by code unit (a lone surrogate included), so the
 * escape of `a + "\n" + b` is escape(a) + "\\n" + escape(b).
 *
 * A method on the prototype under a symbol, rather than a side table: JSON.stringify,
 * Object.keys and deep equality do not see it, and a WeakMap entry per prompt made every
 * garbage collection slower (ephemerons).
 */
export const JSON_TEXT: unique symbol = Symbol('atp-sim.jsonText');

/** A value that can make its own JSON text. */
export interface KnowsJson {
  [JSON_TEXT](): string;
}

function knowsJson(value: object): value is KnowsJson {
  return typeof (value as Partial<KnowsJson>)[JSON_TEXT] === 'function';
}

/** A string's JSON escape without the quotes (a piece of a longer JSON string). */
export function escapeJsonPiece(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** A piece of text whose escape is made once, when first asked for. */
export class JsonPiece {
  private escaped: string | undefined;
  constructor(readonly text: string) {}
  get json(): string {
    return (this.escaped ??= escapeJsonPiece(this.text));
  }
}

/** Key JSON (`"name":`) by key: records repeat the same few keys. */
const keyJson = new Map<string, string>();

/**
 * JSON.stringify(row) for a decision record, byte for byte, with the JSON of its messages taken
 * from them when they know it. Anything it cannot vouch for (not a plain record, a value
 * with toJSON, a message without maker that is not a plain object) goes to JSON.stringify whole.
 */
export function stringifyRecord(row: unknown): string {
  const messages = typeof row === 'object' && row !== null && !Array.isArray(row) ? (row as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(messages) || !messages.some((m) => typeof m === 'object' && m !== null && knowsJson(m)) || hasToJson(row)) return JSON.stringify(row);
  let out = '{';
  for (const key of Object.keys(row as object)) {
    const value = (row as Record<string, unknown>)[key];
    // A toJSON here would be called with "" instead of its key: leave such a record to JSON.stringify.
    if (hasToJson(value)) return JSON.stringify(row);
    const json = key === 'messages' ? messagesJson(messages) : JSON.stringify(value);
    if (json === null) return JSON.stringify(row);
    if (json === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    let k = keyJson.get(key);
    if (k === undefined) {
      k = `${JSON.stringify(key)}:`;
      if (keyJson.size < 256) keyJson.set(key, k);
    }
    out += out.length === 1 ? k + json : `,${k}${json}`;
  }
  return `${out}}`;
}

/** The messages array's JSON, or null when an element is not one this module can vouch for. */
function messagesJson(messages: readonly unknown[]): string | null {
  let out = '[';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    if (typeof m !== 'object' || m === null || Array.isArray(m) || hasToJson(m)) return null;
    out += (i === 0 ? '' : ',') + (knowsJson(m) ? m[JSON_TEXT]() : JSON.stringify(m));
  }
  return `${out}]`;
}

function hasToJson(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
