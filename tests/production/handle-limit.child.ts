/**
 * Run in a child process under a low `ulimit -n` by handle-limit.test.ts: more runs (library
 * API) and a sweep with more cells than the process may hold file handles. Prints one JSON line.
 */
import { runScenario } from '../../src/run.ts';
import { runSweep } from '../../src/sweep.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const [out, url, count] = process.argv.slice(2);
const n = Number(count);
const scenario = thresholdScenario({ rounds: 2, population: { size: 4, policy: 'llm' }, game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 2, rewards: { high: 1.2, normal: 1.0, low: 0.8 } } });
const modelSettings = { backend: 'hf' as const, model: 'm', endpointUrl: url };
let complete = 0;
for (let i = 0; i < n; i++) {
  const r = await runScenario(scenario, { out, id: `run-${i}`, modelSettings });
  if (r.status === 'complete') complete++;
}
const sweep = await runSweep({ name: 'many', base: scenario, grid: {}, replicates: n, seed: 3 }, { out, modelSettings, concurrency: 4 });
process.stdout.write(`${JSON.stringify({ runs: complete, cells: sweep.results.cells.complete, failed: sweep.failed.slice(0, 1) })}\n`);
