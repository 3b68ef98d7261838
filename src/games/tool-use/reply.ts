/**
 * Reading a tool-use reply beyond its choice (the engine's reply parsing reads `choice`): the
 * calculator expression and the direct answer. The last JSON object of the final answer
 * (reasoning in `<think>` blocks removed) that names one of them wins; a loose
 * `expression: ...` / `answer: ...` line is the fallback. Nothing found is data (no answer).
 */

export interface ToolReply {
  readonly expression?: string;
  readonly answer?: string;
}

const THINK = /<think>[\s\S]*?(?:<\/think>|$)/gi;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

export function readToolReply(reply: string): ToolReply {
  const final = reply.replace(THINK, '');
  const objects = final.match(/\{[^{}]*\}/g) ?? [];
  for (let i = objects.length - 1; i >= 0; i--) {
    let o: unknown;
    try {
      o = JSON.parse(objects[i]);
    } catch {
      continue;
    }
    if (typeof o !== 'object' || o === null) continue;
    const rec = o as Record<string, unknown>;
    const expression = text(rec.expression);
    const answer = text(rec.answer);
    if (expression !== undefined || answer !== undefined) return { ...(expression !== undefined ? { expression } : {}), ...(answer !== undefined ? { answer } : {}) };
  }
  const loose = (key: string): string | undefined => {
    const hits = [...final.matchAll(new RegExp(`"?${key}"?\\s*[:=]\\s*"?([^"\\n\\r}]+)`, 'gi'))];
    return hits.length > 0 ? text(hits[hits.length - 1][1].replace(/[,\s]+$/, '')) : undefined;
  };
  const expression = loose('expression');
  const answer = loose('answer');
  return { ...(expression !== undefined ? { expression } : {}), ...(answer !== undefined ? { answer } : {}) };
}
