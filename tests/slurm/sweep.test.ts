/**
 * The shipped Slurm script for real: examples/slurm/sweep.sbatch submitted as a 4-task job array
 * with `sbatch --wait` to the cluster on this machine (tests/slurm/start-cluster.sh starts one;
 * .ci/run calls it), the shards merged, and the result byte-identical to an unsharded sweep of
 * the same file. Classic agents: offline. Skips, saying why, when no cluster answers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

/** Why the test cannot run here, or null when a Slurm node is up. */
function noCluster(): string | null {
  const sinfo = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
  if (sinfo.error) return `sinfo cannot run (${(sinfo.error as NodeJS.ErrnoException).code ?? sinfo.error.message}): Slurm is not installed; tests/slurm/start-cluster.sh installs and starts it (as root)`;
  if (sinfo.status !== 0) return `sinfo failed (exit ${sinfo.status}): ${sinfo.stderr.trim().split('\n')[0]}; start the cluster with tests/slurm/start-cluster.sh`;
  if (!/idle|mixed|alloc/.test(sinfo.stdout)) return `no Slurm node is up (sinfo: ${sinfo.stdout.trim() || 'no nodes'})`;
  return null;
}

const reason = noCluster();
if (reason) console.log(`tests/slurm/sweep.test.ts skipped: ${reason}`);

const SWEEP = join(REPO_ROOT, 'scenarios/sweeps/topologies.yaml');

/** Every file of a sweep folder whose bytes must not depend on sharding (manifests hold times). */
function deterministicFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([['results.json', readFileSync(join(dir, 'results.json'))]]);
  for (const id of readdirSync(join(dir, 'runs'))) {
    for (const f of ['decisions.jsonl', 'rounds.jsonl', 'summary.json']) files.set(`runs/${id}/${f}`, readFileSync(join(dir, 'runs', id, f)));
  }
  return files;
}

describe.skipIf(reason !== null)('a sweep as a Slurm job array', () => {
  it('runs examples/slurm/sweep.sbatch as 4 array tasks; merged, it is byte-identical to the unsharded sweep', async () => {
    const dir = tempDir();
    const out = join(dir, 'cluster');
    const sbatch = spawnSync(
      'sbatch',
      [
        '--wait',
        '--array=0-3',
        `--chdir=${REPO_ROOT}`,
        `--output=${dir}/task-%a.out`,
        `--export=ALL,SWEEP=${SWEEP},OUT=${out},ATP_SIM=${process.execPath} ${join(REPO_ROOT, 'bin/atp-sim.js')}`,
        join(REPO_ROOT, 'examples/slurm/sweep.sbatch'),
      ],
      { encoding: 'utf8', timeout: 280_000 },
    );
    const logs = () => readdirSync(dir).filter((f) => f.endsWith('.out')).map((f) => `${f}:\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
    expect(sbatch.status, `sbatch: ${sbatch.stdout}${sbatch.stderr}\n${logs()}`).toBe(0);
    // Each task took its own shard from the array's environment.
    for (const i of [0, 1, 2, 3]) expect(readFileSync(join(dir, `task-${i}.out`), 'utf8')).toContain(`shard ${i}/4 from Slurm array task (SLURM_ARRAY_TASK_ID=${i}, _MIN=0, _MAX=3, _COUNT=4)`);

    const merged = await cli(['merge', ...[0, 1, 2, 3].map((i) => join(out, `shard-${i}`, 'topologies')), '--out', join(out, 'merged', 'topologies')]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toContain('20 of 20 cells complete');
    const single = await cli(['sweep', SWEEP, '--out', join(dir, 'single')]);
    expect(single.code, single.stderr).toBe(0);

    const a = deterministicFiles(join(out, 'merged', 'topologies'));
    const b = deterministicFiles(join(dir, 'single', 'topologies'));
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect(a.size).toBe(1 + 20 * 3);
    for (const [name, bytes] of b) expect(a.get(name)!.equals(bytes), `${name} differs`).toBe(true);
  }, 300_000);
});
