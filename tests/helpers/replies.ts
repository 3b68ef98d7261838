import type { ChatBody } from './openai-server.ts';

/** Replies that depend only on the request (its seed), like a deterministic server. */
export function seededChoice(body: ChatBody): string {
  const seed = Number(body.seed ?? 0);
  return seed % 3 === 0 ? 'Thinking it over.\n{"choice": "invest"}' : '{"choice": "keep money"}';
}
