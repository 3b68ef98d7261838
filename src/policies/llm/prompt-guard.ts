/**
 * Prompts too long for the model: refused before sending when their estimated size is over
 * `prompt.maxPromptTokens`, and recognised when the server refuses one for its context length.
 * Either way the decision is a failed one (data: invalid, paid as the scenario says), never a
 * crash, and it does not count towards `limits.maxFailureRate`: a prompt's length is a property
 * of the scenario and the graph (a hub's neighbourhood), not a sign the server is failing.
 */
import { estimateMessagesTokens } from '../../llm/tokens.ts';
import type { ChatMessage } from '../../core/types.ts';

/**
 * How OpenAI-compatible servers word a context-length refusal (HTTP 400): OpenAI and vLLM
 * ("maximum context length is 4096 tokens", code context_length_exceeded), llama.cpp server
 * ("exceeds the available context size"), TGI ("inputs tokens + max_new_tokens must be <= 4096"),
 * Ollama and others ("prompt is too long", "context window").
 */
const CONTEXT_ERROR = /context[_ ]length|maximum context|context size|context window|max_new_tokens. must be|prompt is too long|too many (input )?tokens/i;

/** True when a failed call's message is a server's context-length refusal (HTTP 400 or 413). */
export function isContextLengthError(message: string): boolean {
  return /HTTP (400|413|422)\b/.test(message) && CONTEXT_ERROR.test(message);
}

/** The estimated prompt tokens, and why the prompt may not be sent (undefined: it may). */
export function checkPromptSize(messages: readonly ChatMessage[], limit: number | undefined): { tokens: number; refusal?: string } {
  const tokens = estimateMessagesTokens(messages);
  if (limit === undefined || tokens <= limit) return { tokens };
  return {
    tokens,
    refusal:
      `prompt of about ${tokens} tokens (estimated, chars/4) is over prompt.maxPromptTokens ${limit}: not sent ` +
      '(fix: prompt.observe: summary or {sample: k}, a shorter prompt.historyWindow, or a larger maxPromptTokens)',
  };
}
