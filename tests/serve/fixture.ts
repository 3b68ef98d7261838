/**
 * A folder of runs for the live-view tests: one real LLM run (scripted model, ring of 12 agents,
 * 4 rounds), then copied as a run "still running" with only its first two rounds written, so a
 * test can append the others while a page is open. Also a secret file beside the folder and a
 * symbolic link inside it that points to it, for the path traversal tests, and a link cycle.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { tempDir } from '../helpers/paths.ts';
import { ringLlmScenario } from '../helpers/scenarios.ts';

export const SECRET = 'the secret outside the served folder';

export interface ServeFixture {
  /** The served folder. */
  readonly root: string;
  /** runs/demo: a complete run. */
  readonly done: string;
  /** runs/live: the same run, marked running, with rounds 1 and 2 written. */
  readonly live: string;
  /** The round lines of the complete run, each with its newline. */
  readonly roundLines: readonly string[];
}

export async function serveFixture(): Promise<ServeFixture> {
  const base = tempDir('atp-sim-serve-');
  const root = join(base, 'runs');
  mkdirSync(root);
  writeFileSync(join(base, 'secret.txt'), SECRET);
  symlinkSync(base, join(root, 'link-out'));
  symlinkSync(join(base, 'secret.txt'), join(root, 'secret-link.txt'));
  symlinkSync(root, join(root, 'again')); // a cycle
  const scenario = ringLlmScenario({ model: { pricePerMillion: { input: 0.2, output: 0.6 } } });
  const model = scriptedModel((_o, req) => (/chose "invest"/.test(req.messages[req.messages.length - 1].content) ? '{"choice": "invest"}' : '{"choice": "keep money"}'));
  const run = await runScenario(scenario, { out: root, id: 'demo', model });
  const live = join(root, 'live');
  cpSync(run.runDir, live, { recursive: true });
  const roundLines = readFileSync(join(run.runDir, 'rounds.jsonl'), 'utf8').split(/(?<=\n)/).filter((l) => l.trim());
  writeFileSync(join(live, 'rounds.jsonl'), roundLines.slice(0, 2).join(''));
  const manifest = JSON.parse(readFileSync(join(live, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(live, 'manifest.json'), JSON.stringify({ ...manifest, id: 'live', status: 'running', roundsCompleted: 2 }, null, 2));
  return { root, done: run.runDir, live, roundLines };
}

/** Marks the live run with `status` (as the run does when it ends). */
export function setStatus(dir: string, status: string, extra: Record<string, unknown> = {}): void {
  const file = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...manifest, status, ...extra }, null, 2));
}
