/**
 * A chat message made of lines, some of them shared by many prompts (a remembered round, the
 * question, the system prompt): its content is the lines joined by newlines, and its JSON for
 * the decision records is made from the lines' escapes, each shared line escaped at most once
 * however many prompts and records repeat it (core/json-text.ts).
 */
import type { ChatMessage, ChatRole } from '../core/types.ts';
import { escapeJsonPiece, JSON_TEXT, type JsonPiece, type KnowsJson } from '../core/json-text.ts';

export class PiecedMessage implements ChatMessage, KnowsJson {
  readonly role: ChatRole;
  readonly content: string;
  /** Lines: shared pieces, or strings of this prompt only (escaped when the JSON is asked for). */
  readonly #lines: ReadonlyArray<string | JsonPiece>;

  constructor(role: ChatRole, lines: ReadonlyArray<string | JsonPiece>) {
    let content = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      content += (i === 0 ? '' : '\n') + (typeof line === 'string' ? line : line.text);
    }
    this.role = role;
    this.content = content;
    this.#lines = lines;
  }

  /** Exactly JSON.stringify(this): `{"role":...,"content":...}`, the content's newlines escaped as `\n`. */
  [JSON_TEXT](): string {
    let json = `{"role":${JSON.stringify(this.role)},"content":"`;
    const lines = this.#lines;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      json += (i === 0 ? '' : '\\n') + (typeof line === 'string' ? escapeJsonPiece(line) : line.json);
    }
    return `${json}"}`;
  }
}
