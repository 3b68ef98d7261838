/**
 * Real runs for the explorer tests: an LLM group game on a ring of 12 (scripted model: an agent
 * violates once a neighbour's violation is in its prompt, with markup in its reply) and a small
 * sweep over the ring's degree with two replicates. Seeded and offline.
 */
import { scriptedModel } from '../../../src/llm/scripted.ts';
import { runScenario } from '../../../src/run.ts';
import { runSweep } from '../../../src/sweep.ts';
import { tempDir } from '../../helpers/paths.ts';
import { thresholdScenario } from '../../helpers/scenarios.ts';

/** The reasoning a violating agent shows first, with markup of its own. */
export const REASONING = 'Agent <i>0</i> earned more & "it works"; I copy it.';

/** What a violating agent answers: markup that would run if the page ever parsed it as HTML. */
export const EVIL_REPLY = `<think>${REASONING}</think>` + '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> </pre></details><b>bold</b> {"choice": "invest"}';

export function ringScenario(over: Record<string, unknown> = {}): Record<string, unknown> {
  const base = thresholdScenario();
  return {
    ...base,
    name: 'ring-cascade',
    rounds: 5,
    population: { size: 12, policy: 'llm', seedViolators: { count: 1, placement: 'first' } },
    network: { kind: 'ring', k: 2 },
    game: { ...(base.game as object), scope: 'neighborhood', threshold: 0.5 },
    prompt: { ...(base.prompt as object), style: 'network' },
    ...over,
  };
}

export function cascadeModel() {
  return scriptedModel((_o, req) => {
    const sawViolation = /Agent \d+ chose "invest"/.test(req.messages[req.messages.length - 1].content);
    return sawViolation ? EVIL_REPLY : '{"choice": "keep money"}';
  });
}

/** One complete LLM run; returns its directory. */
export async function cascadeRun(): Promise<string> {
  const run = await runScenario(ringScenario(), { out: tempDir('atp-sim-explorer-'), id: 'cascade', model: cascadeModel() });
  return run.runDir;
}

/** A sweep over the ring's degree (k = 2, 4), two replicates each; returns its directory. */
export async function cascadeSweep(): Promise<string> {
  const out = tempDir('atp-sim-explorer-sweep-');
  await runSweep({ name: 'rings', base: ringScenario(), grid: { 'network.k': [2, 4] }, replicates: 2, seed: 3 }, { out, model: () => cascadeModel() });
  return `${out}/rings`;
}

/** Rule-based imitators (no model) spreading a seeded violation: quick at any size. */
export function imitationScenario(size: number, network: Record<string, unknown>, over: { rounds?: number; seeds?: number; seed?: number } = {}): Record<string, unknown> {
  return {
    name: `imitation-${size}`,
    kind: 'threshold-game',
    rounds: over.rounds ?? 3,
    seed: over.seed ?? 4,
    population: { size, policy: { kind: 'imitate-best' }, seedViolators: { count: over.seeds ?? Math.max(1, Math.round(size / 50)), placement: 'random' } },
    network,
    game: { options: { collective: 'invest', independent: 'keep' }, threshold: 0.3, scope: 'neighborhood', rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
  };
}
