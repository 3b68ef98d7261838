/**
 * Run in a child process by handle-limit.test.ts: one warm-up run loads every module (loading
 * opens many files at once), then the child says "ready" and waits for its parent to lower its
 * handle limit (prlimit) and say "go"; then more runs (library API) and a sweep with more cells
 * than the limit. Prints one JSON line.
 */
import { createInterface } from 'node:readline';
import { runScenario } from '../../src/run.ts';
import { runSweep } from '../../src/sweep.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const [out, url, count] = process.argv.slice(2);
const n = Number(count);
const scenario = thresholdScenario({ rounds: 2, population: { size: 4, policy: 'llm' }, game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 2, rewards: { high: 1.2, normal: 1.0, low: 0.8 } } });
const modelSettings = { backend: 'hf' as const, model: 'm', endpointUrl: url };
await runScenario(scenario, { out, id: 'warm-up', modelSettings });
process.stdout.write('ready\n');
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
let complete = 0;
for (let i = 0; i < n; i++) {
  const r = await runScenario(scenario, { out, id: `run-${i}`, modelSettings });
  if (r.status === 'complete') complete++;
}
const sweep = await runSweep({ name: 'many', base: scenario, grid: {}, replicates: n, seed: 3 }, { out, modelSettings, concurrency: 4 });
process.stdout.write(`${JSON.stringify({ runs: complete, cells: sweep.results.cells.complete, failed: sweep.failed.slice(0, 1) })}\n`);
process.exit(0);
