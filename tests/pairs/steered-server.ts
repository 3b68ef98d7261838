/**
 * A loopback model that does what the steering sentence at the end of the prompt says, except
 * where a plan makes it reply garbage or the other side for the first k asks of a prompt, so the
 * protocol's retries and left-out items can be counted exactly.
 */
import { execFileSync } from 'node:child_process';
import { ATP_SA_STEERING, OWN_BENEFIT, TEAM_BENEFIT, type PairsOptions } from '../../src/pairs/index.ts';
import { parseModelArg } from '../../src/llm/index.ts';
import { startOpenAiServer, type ChatBody, type OpenAiServer, type OpenAiServerOptions } from '../helpers/openai-server.ts';

/** The option each steering sentence asks for, in the test scenarios (dilemma A/B, threshold invest/keep money). */
const OBEY: ReadonlyArray<readonly [string, string]> = [
  [ATP_SA_STEERING.aligned, 'A'],
  [ATP_SA_STEERING.deviant, 'B'],
  [OWN_BENEFIT, 'keep money'],
  [TEAM_BENEFIT, 'invest'],
];

/** How the model misbehaves on the first `times` asks of prompts ending with `sentence`. */
export interface Misbehaviour {
  readonly sentence: string;
  readonly times: number;
  /** `garbage`: no choice at all; otherwise the reply chooses this option. */
  readonly reply: 'garbage' | string;
}

export function lastUser(body: ChatBody): string {
  const users = body.messages.filter((m) => m.role === 'user');
  return users[users.length - 1]?.content ?? '';
}

export async function steeredServer(plan: readonly Misbehaviour[] = [], extra: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const seen = new Map<string, number>();
  return startOpenAiServer({
    ...extra,
    reply(body) {
      const text = lastUser(body);
      const n = seen.get(text) ?? 0;
      seen.set(text, n + 1);
      const bad = plan.find((p) => text.endsWith(p.sentence) && n < p.times);
      if (bad) return bad.reply === 'garbage' ? 'Hmm, hard to say. I would rather not pick.' : `Thinking it over. {"choice": "${bad.reply}"}`;
      const hit = OBEY.find(([sentence]) => text.endsWith(sentence));
      return hit ? `Following the instruction. {"choice": "${hit[1]}"}` : 'no steering sentence found';
    },
  });
}

/** Every row of a JSONL file as python3's json module reads it (an independent reader). */
export function pythonRows(path: string): Array<Record<string, unknown>> {
  const script = 'import json,sys\nrows=[json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]\nprint(json.dumps(rows))';
  return JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as Array<Record<string, unknown>>;
}

/** Pairs options for a loopback model at `url`, with fast transport retries. */
export function pairOptions(url: string, out: string, over: Partial<PairsOptions> = {}): PairsOptions {
  return { out, modelSettings: parseModelArg('test-model', url), retry: { baseDelayMs: 1, maxDelayMs: 1 }, ...over };
}
