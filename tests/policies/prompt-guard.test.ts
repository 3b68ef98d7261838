/**
 * Prompts too long for the model: the hub of a star sees every leaf, so its prompt is the longest.
 * Refused before sending (prompt.maxPromptTokens) or by the server (a context-length 400), the
 * hub's decisions are failed decisions in the records and the run completes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../../src/core/types.ts';
import { readJsonl } from '../../src/io/files.ts';
import { runScenario } from '../../src/run.ts';
import { isContextLengthError } from '../../src/policies/llm/prompt-guard.ts';
import { startOpenAiServer, type ChatBody, type OpenAiServer } from '../helpers/openai-server.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** Estimated tokens of a request, as atp-sim counts them: ceil(chars / 4) per message. */
const tokensOf = (body: ChatBody): number => body.messages.reduce((t, m) => t + Math.ceil(m.content.length / 4), 0);

/**
 * Estimated prompt sizes on this star of 16 (the system prompt with the game's rules is some 214
 * tokens): a leaf's prompts stay under 300, the hub's reach 700 by round 3 (a line per leaf per
 * remembered round), and with observe: summary every prompt stays under 351.
 */
const CONTEXT = 400;

function starScenario(prompt: Record<string, unknown> = {}, limits: Record<string, unknown> = { maxFailureRate: 0.1 }) {
  return thresholdScenario({
    rounds: 3,
    population: { size: 16, policy: 'llm' },
    network: { kind: 'star', n: 16 },
    game: { options: { collective: 'invest', independent: 'keep money' }, scope: 'neighborhood', threshold: 0.5, rewards: { high: 1.2, normal: 1.0, low: 0.8 } },
    prompt: { style: 'network', historyWindow: 2, text: { system: 'You are one of {n} investors.', round: 'Round opens.' }, ...prompt },
    limits,
  });
}

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({
    reply: (body) => `{"choice": "${Number(body.seed) % 2 === 0 ? 'invest' : 'keep money'}"}`,
    faults: (body) =>
      tokensOf(body) > CONTEXT
        ? { kind: 'status', status: 400, message: `This model's maximum context length is ${CONTEXT} tokens. However, you requested ${tokensOf(body) + 64} tokens. Please reduce the length of the messages.` }
        : undefined,
  });
});
afterAll(() => server.close());

async function run(scenario: Record<string, unknown>) {
  const before = server.requests.length;
  const out = tempDir();
  const result = await runScenario(scenario, { out, cache: { mode: 'off' }, modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url, maxRetries: 0 } });
  const decisions = readJsonl<DecisionRecord>(join(result.runDir, 'decisions.jsonl'));
  return { result, decisions, requests: server.requests.slice(before) };
}

describe('prompts too long for the model', () => {
  it('a context-length 400 from the server is a failed decision of the hub, and the run completes', async () => {
    const { result, decisions, requests } = await run(starScenario());
    expect(result.status).toBe('complete');
    const hub = decisions.filter((d) => d.agent === 0);
    expect(hub.map((d) => d.valid)).toEqual([true, false, false]);
    for (const d of hub.slice(1)) {
      expect(d.callFailed).toBe(true);
      expect(d.promptTooLong).toBe(true);
      expect(d.error).toMatch(/HTTP 400: This model's maximum context length is 400 tokens/);
    }
    // Every leaf decided in every round; the hub asked each round (its refused prompts were sent).
    expect(decisions.filter((d) => d.agent !== 0).every((d) => d.valid)).toBe(true);
    expect(requests).toHaveLength(16 * 3);
    expect(result.summary.promptTokens).toMatchObject({ agents: 16, tooLong: 2 });
    expect(result.summary.promptTokens!.max).toBeGreaterThan(CONTEXT);
  });

  it('a prompt over prompt.maxPromptTokens is not sent: a failed decision saying why, and the run completes', async () => {
    const { result, decisions, requests } = await run(starScenario({ maxPromptTokens: CONTEXT }));
    expect(result.status).toBe('complete');
    const hub = decisions.filter((d) => d.agent === 0);
    expect(hub.map((d) => d.valid)).toEqual([true, false, false]);
    expect(hub[1].callFailed).toBe(true);
    expect(hub[1].promptTooLong).toBe(true);
    expect(hub[1].error).toMatch(/^prompt of about \d+ tokens \(estimated, chars\/4\) is over prompt\.maxPromptTokens 400: not sent \(fix: prompt\.observe: summary/);
    // The refused prompt is recorded (what would have been sent), but never reached the server.
    expect(hub[1].messages![1].content).toContain('Agent 15 chose');
    expect(requests).toHaveLength(16 * 3 - 2);
    expect(requests.every((r) => tokensOf(r.body) <= CONTEXT)).toBe(true);
    expect(result.summary.promptTokens).toMatchObject({ agents: 16, tooLong: 2 });
  });

  it('with the summary mode the hub stays within the same limit and decides every round', async () => {
    const { result, decisions } = await run(starScenario({ maxPromptTokens: CONTEXT, observe: 'summary' }));
    expect(decisions.filter((d) => !d.valid).map((d) => `${d.round}:${d.agent}:${d.error}`)).toEqual([]);
    expect(result.summary.promptTokens).toMatchObject({ agents: 16, tooLong: 0 });
    expect(result.summary.promptTokens!.max).toBeLessThanOrEqual(CONTEXT);
  });

  it('other refusals still count towards limits.maxFailureRate', async () => {
    const bad = await startOpenAiServer({ faults: () => ({ kind: 'status', status: 400, message: 'unknown field "chat_template_kwargs"' }) });
    try {
      const out = tempDir();
      const failing = runScenario(starScenario(), { out, cache: { mode: 'off' }, modelSettings: { backend: 'hf', model: 'm', endpointUrl: bad.url, maxRetries: 0 } });
      await expect(failing).rejects.toThrow(/all 16 model calls failed after retries \(the server answered HTTP 400\)/);
    } finally {
      await bad.close();
    }
  });

  it('measures the failure rate over the calls sent: a server failing every call it gets stops the run, however many prompts were too long', async () => {
    // Half the agents' prompts are refused for length, the server answers the others with an error.
    const half = await startOpenAiServer({
      faults: (body) =>
        Number(body.seed) % 2 === 0
          ? { kind: 'status', status: 400, message: `This model's maximum context length is ${CONTEXT} tokens.` }
          : { kind: 'status', status: 400, message: 'unknown field "chat_template_kwargs"' },
    });
    try {
      const out = tempDir();
      const failing = runScenario(starScenario({}, { maxFailureRate: 0.6 }), { out, cache: { mode: 'off' }, modelSettings: { backend: 'hf', model: 'm', endpointUrl: half.url, maxRetries: 0 } });
      await expect(failing).rejects.toThrow(/model calls failed after retries/);
    } finally {
      await half.close();
    }
  });

  it('recognises how servers word a context-length refusal, and nothing else', () => {
    expect(isContextLengthError("hf m at http://h/v1, round 2, agent 0: HTTP 400: This model's maximum context length is 4096 tokens. (not retried)")).toBe(true);
    expect(isContextLengthError('HTTP 400: the request exceeds the available context size, try increasing it')).toBe(true);
    expect(isContextLengthError('HTTP 422: Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096')).toBe(true);
    expect(isContextLengthError('HTTP 400: unknown field "chat_template_kwargs"')).toBe(false);
    expect(isContextLengthError("HTTP 500: maximum context length is 4096 tokens")).toBe(false);
  });
});
