/**
 * Token estimates for when a server does not report usage, for dry-run cost estimates and for
 * charging a tokens-per-minute limit before a call.
 *
 * Rule: ceil(characters / 4). It is the usual rule of thumb for English text with BPE
 * tokenizers; it over-counts code and under-counts CJK text. Results derived from it are
 * flagged `estimated: true` so nobody mistakes them for the server's count.
 */
import type { ChatMessage, CompletionRequest } from '../core/types.ts';

/** Estimated tokens of a text: ceil(chars / 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Estimated prompt tokens of a chat: the rule applied to each message's content, summed. */
export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const m of messages) total += estimateTokens(m.content);
  return total;
}

/** Estimated prompt tokens of a request (what a tokens-per-minute limit charges up front). */
export function estimatePromptTokens(request: CompletionRequest): number {
  return estimateMessagesTokens(request.messages);
}
