/**
 * An incremental HTTP/1.1 response parser for http1.ts (RFC 9112): bytes go in as the socket
 * delivers them, split anywhere, and it says when one complete response has arrived.
 *
 * - Status line and field lines (sections 4 and 5): CRLF line ends (a bare LF is accepted, as
 *   section 2.2 allows), an obsolete line folding replaced by a space (section 5.2), names that
 *   are tokens, values without control characters, leading and trailing whitespace dropped. A
 *   header section over 64 KiB fails.
 * - Interim 1xx responses are skipped (RFC 9110 section 15.2); 101 was never asked for and fails;
 *   a code below 100 is a final response, as node's parser reads it.
 * - Message body length (section 6.3): none after HEAD, 1xx, 204 and 304; else chunked when the
 *   final transfer coding is chunked (section 7.1: extensions ignored, trailers read and
 *   dropped); else Content-Length (repeated equal values allowed, different ones fail); else the
 *   body runs to the end of the connection.
 * - Persistence (section 9.3): the connection is kept for another request only after a complete
 *   response that is not close-delimited, without `Connection: close`, HTTP/1.1 (or 1.0 with
 *   `Connection: keep-alive`), and no bytes after it. Transfer-Encoding beside Content-Length
 *   fails (section 6.3 item 3 calls it an error to handle; node's parser refuses it as well).
 *
 * Malformed input throws an Error with a `code` in the style of node's parser (HPE_...).
 */

const MAX_HEAD = 64 * 1024;
/** A chunk-size line with its extensions. */
const MAX_CHUNK_LINE = 4096;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Done,
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0-\x08\x0a-\x1f\x7f]/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
const HEX = /^[0-9a-fA-F]{1,12}$/;
const DIGITS = /^\d{1,15}$/;

/** A malformed response: the request fails with it as the cause and the socket is destroyed. */
export function parseError(code: string, message: string): Error {
  return Object.assign(new Error(`Parse Error: ${message}`), { code });
}

/** What is wrong with a status line, with the code node's parser gives it. */
function statusLineError(line: string): Error {
  const shown = JSON.stringify(line.slice(0, 80));
  if (!line.startsWith('HTTP/')) return parseError('HPE_INVALID_CONSTANT', `expected HTTP/ at the start of the status line ${shown}`);
  if (!/^HTTP\/1\.[01] /.test(line)) return parseError('HPE_INVALID_VERSION', `not an HTTP/1.x status line ${shown}`);
  return parseError('HPE_INVALID_STATUS', `invalid status code in ${shown}`);
}

/** Drops the spaces and tabs around a field value (RFC 9110 section 5.5, OWS). */
function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** The end of the line that starts at `i` (before its CR LF or LF) and where the next one starts. */
function lineAt(text: string, i: number): [end: number, next: number] {
  const lf = text.indexOf('\n', i);
  if (lf === -1) return [text.length, text.length];
  return [lf > i && text.charCodeAt(lf - 1) === 13 ? lf - 1 : lf, lf + 1];
}

/** The field lines of a head after its status line: `[name, value, ...]`, names in lower case, folds joined. */
function fieldLines(text: string, from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < text.length; ) {
    const [end, next] = lineAt(text, i);
    if (end === i) break; // the empty line that ends the head
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) {
      if (out.length === 0) throw parseError('HPE_INVALID_HEADER_TOKEN', 'folded line before the first header field');
      out[out.length - 1] = trimOws(`${out[out.length - 1]} ${trimOws(text.slice(i, end))}`);
    } else {
      const colon = text.indexOf(':', i);
      const name = colon > i && colon < end ? text.slice(i, colon) : '';
      if (!TOKEN.test(name)) throw parseError('HPE_INVALID_HEADER_TOKEN', `invalid header field line ${JSON.stringify(text.slice(i, Math.min(end, i + 80)))}`);
      const value = trimOws(text.slice(colon + 1, end));
      if (BAD_VALUE.test(value)) throw parseError('HPE_INVALID_HEADER_TOKEN', `invalid character in the value of header ${name}`);
      out.push(name.toLowerCase(), value);
    }
    i = next;
  }
  return out;
}

/** The one Content-Length of a response (equal repeated values allowed: RFC 9110 section 8.6). */
function contentLength(values: string[]): number {
  let length = -1;
  for (const v of values.join(',').split(',')) {
    const t = trimOws(v);
    if (!DIGITS.test(t)) throw parseError('HPE_INVALID_CONTENT_LENGTH', `invalid Content-Length ${JSON.stringify(values.join(', '))}`);
    const n = Number(t);
    if (length !== -1 && n !== length) throw parseError('HPE_UNEXPECTED_CONTENT_LENGTH', `different Content-Length values ${JSON.stringify(values.join(', '))}`);
    length = n;
  }
  return length;
}

export class ResponseParser {
  status = 0;
  statusText = '';
  /** Field lines `[name, value, ...]`, names in lower case. */
  headers: string[] = [];
  /** Any byte received (a reused socket that closes before one may be retried). */
  started = false;
  /** The connection may carry another request after this response. */
  reusable = true;
  /** How long the server keeps an idle connection (Keep-Alive: timeout=N), in ms, or -1. */
  keepAliveMs = -1;
  readonly #noBody: boolean;
  #state = State.Head;
  #pending: Buffer | null = null;
  #scanFrom = 0;
  #remaining = 0;
  #line = '';
  #trailerBytes = 0;
  #chunks: Buffer[] = [];
  #size = 0;

  /** `head`: the request was HEAD (its response has no body whatever its fields say). */
  constructor(head: boolean) {
    this.#noBody = head;
  }

  /** The body, once done. */
  body(): Buffer {
    const c = this.#chunks;
    return c.length === 1 ? c[0] : Buffer.concat(c, this.#size);
  }

  /** Takes the next bytes; true when the response is complete. Throws on malformed input. */
  push(data: Buffer): boolean {
    this.started = true;
    let off = 0;
    while (off < data.length) {
      switch (this.#state) {
        case State.Head:
          off = this.#head(data, off);
          break;
        case State.Length:
          off = this.#counted(data, off, State.Done);
          break;
        case State.ChunkData:
          off = this.#counted(data, off, State.ChunkEnd);
          break;
        case State.ChunkSize:
        case State.ChunkEnd:
        case State.Trailers:
          off = this.#lineOf(data, off);
          break;
        case State.UntilClose:
          this.#keep(off === 0 ? data : data.subarray(off));
          off = data.length;
          break;
        case State.Done:
          // Bytes after a complete response: nothing was asked for, so the connection is not reused.
          this.reusable = false;
          return true;
      }
    }
    return this.#state === State.Done;
  }

  /** The server closed the connection: true when that completes the response (a close-delimited body). */
  end(): boolean {
    if (this.#state === State.UntilClose) this.#state = State.Done;
    return this.#state === State.Done;
  }

  /** Keeps up to the bytes still expected; then goes to `next`. Returns the new offset. */
  #counted(data: Buffer, off: number, next: State): number {
    const take = Math.min(this.#remaining, data.length - off);
    this.#keep(off === 0 && take === data.length ? data : data.subarray(off, off + take));
    this.#remaining -= take;
    if (this.#remaining === 0) this.#state = next;
    return off + take;
  }

  #keep(b: Buffer): void {
    if (b.length === 0) return;
    this.#chunks.push(b);
    this.#size += b.length;
  }

  /** Reads head bytes from `off`; returns where the head ended, or data.length when it needs more. */
  #head(data: Buffer, off: number): number {
    let buf = data;
    let start = off;
    if (this.#pending !== null) {
      buf = Buffer.concat([this.#pending, data.subarray(off)]);
      start = 0;
    }
    // The head ends at the first empty line: LF LF or LF CR LF.
    let end = -1;
    for (let i = start + this.#scanFrom; ; ) {
      const lf = buf.indexOf(10, i);
      if (lf === -1) break;
      if (buf[lf + 1] === 10) end = lf + 2;
      else if (buf[lf + 1] === 13 && buf[lf + 2] === 10) end = lf + 3;
      if (end !== -1) break;
      i = lf + 1;
    }
    if (end === -1) {
      if (buf.length - start > MAX_HEAD) throw parseError('HPE_HEADER_OVERFLOW', `header section longer than ${MAX_HEAD} bytes`);
      this.#pending = buf.subarray(start);
      // An LF among the last two bytes may begin the empty line: scan again from there.
      this.#scanFrom = Math.max(0, this.#pending.length - 2);
      return data.length;
    }
    if (end - start > MAX_HEAD) throw parseError('HPE_HEADER_OVERFLOW', `header section longer than ${MAX_HEAD} bytes`);
    this.#pending = null;
    this.#scanFrom = 0;
    this.#onHead(buf.toString('latin1', start, end));
    // What followed the head in `buf`, as an offset into `data`.
    return data.length - (buf.length - end);
  }

  /** Status line and fields of one head; sets how the body is delimited. */
  #onHead(text: string): void {
    const [end, next] = lineAt(text, 0);
    const statusLine = text.slice(0, end);
    const m = STATUS_LINE.exec(statusLine);
    if (m === null) throw statusLineError(statusLine);
    const status = Number(m[2]);
    const fields = fieldLines(text, next);
    if (status === 101) throw parseError('HPE_PAUSED_UPGRADE', 'unexpected 101 Switching Protocols (no upgrade was asked for)');
    // Interim: the final response follows (RFC 9110 section 15.2). A code below 100 is final, as
    // node's parser takes it (waiting for another response would hang the call until its deadline).
    if (status >= 100 && status < 200) return;
    this.status = status;
    this.statusText = m[3] ?? '';
    this.headers = fields;
    let te: string | undefined;
    const lengths: string[] = [];
    let close = m[1] === '0';
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i];
      if (name === 'content-length') lengths.push(fields[i + 1]);
      else if (name === 'transfer-encoding') te = te === undefined ? fields[i + 1] : `${te}, ${fields[i + 1]}`;
      else if (name === 'connection') {
        const tokens = fields[i + 1].toLowerCase();
        if (/(^|[\s,])close($|[\s,])/.test(tokens)) close = true;
        else if (m[1] === '0' && /(^|[\s,])keep-alive($|[\s,])/.test(tokens)) close = false;
      } else if (name === 'keep-alive') {
        const t = /(?:^|[\s,;])timeout=(\d+)/i.exec(fields[i + 1]);
        if (t) this.keepAliveMs = Number(t[1]) * 1000;
      }
    }
    this.reusable = !close;
    if (this.#noBody || status === 204 || status === 304) this.#state = State.Done;
    else if (te !== undefined) {
      const codings = te.split(',');
      // Both fields: a sign of response splitting (section 6.3 item 3); node's parser refuses it too.
      if (lengths.length > 0) throw parseError('HPE_INVALID_TRANSFER_ENCODING', 'Transfer-Encoding together with Content-Length');
      const chunked = trimOws(codings[codings.length - 1]).toLowerCase() === 'chunked';
      this.#state = chunked ? State.ChunkSize : State.UntilClose;
      if (!chunked) this.reusable = false;
    } else if (lengths.length > 0) {
      this.#remaining = contentLength(lengths);
      this.#state = this.#remaining === 0 ? State.Done : State.Length;
    } else {
      this.#state = State.UntilClose;
      this.reusable = false;
    }
  }

  /** Reads one line of the chunked framing (size, the CRLF after data, a trailer). */
  #lineOf(data: Buffer, off: number): number {
    const lf = data.indexOf(10, off);
    const to = lf === -1 ? data.length : lf;
    this.#line += data.toString('latin1', off, to);
    const limit = this.#state === State.Trailers ? MAX_HEAD - this.#trailerBytes : MAX_CHUNK_LINE;
    if (this.#line.length > limit) throw parseError('HPE_HEADER_OVERFLOW', this.#state === State.Trailers ? 'trailer section too long' : 'chunk size line too long');
    if (lf === -1) return data.length;
    const line = this.#line.endsWith('\r') ? this.#line.slice(0, -1) : this.#line;
    this.#line = '';
    if (this.#state === State.ChunkEnd) {
      if (line !== '') throw parseError('HPE_STRICT', 'missing CRLF after chunk data');
      this.#state = State.ChunkSize;
    } else if (this.#state === State.ChunkSize) {
      const semi = line.indexOf(';');
      const size = trimOws(semi === -1 ? line : line.slice(0, semi));
      if (!HEX.test(size)) throw parseError('HPE_INVALID_CHUNK_SIZE', `invalid chunk size line ${JSON.stringify(line.slice(0, 80))}`);
      this.#remaining = parseInt(size, 16);
      this.#state = this.#remaining === 0 ? State.Trailers : State.ChunkData;
    } else {
      this.#trailerBytes += line.length + 2;
      if (line === '') this.#state = State.Done;
    }
    return lf + 1;
  }
}
