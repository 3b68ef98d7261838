/**
 * `--shard I/N` and `--shard auto`: which part of a sweep this process runs. `auto` reads the
 * task's place in a cluster job array from the environment the scheduler sets:
 *
 * - Slurm job arrays (sbatch --array, https://slurm.schedmd.com/job_array.html):
 *   SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN / _MAX (and
 *   SLURM_ARRAY_TASK_STEP for `--array=0-6:2`). Shard index = (ID - MIN) / STEP, so arrays that
 *   start at 1 work too.
 * - Kubernetes indexed Jobs (completionMode: Indexed,
 *   https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode):
 *   JOB_COMPLETION_INDEX is set in every pod, but the number of completions is not, so the Job
 *   passes it as ATP_SIM_SHARD_COUNT (examples/k8s/sweep-job.yaml).
 * - Anything else: ATP_SIM_SHARD_INDEX with ATP_SIM_SHARD_COUNT.
 */
import { AtpSimError } from '../core/errors.ts';

export interface Shard {
  readonly index: number;
  readonly count: number;
  /** Where `auto` found it (the variables read), for the log line. */
  readonly from?: string;
}

const fail = (message: string): never => {
  throw new AtpSimError('INVALID_ARGUMENT', `--shard auto: ${message}`);
};

/** A whole number >= 0 from the environment variable `name`, or undefined when it is unset. */
function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const x = Number(raw);
  if (!Number.isSafeInteger(x) || x < 0) fail(`${name} must be a whole number >= 0; got "${raw}" (is this really the scheduler's variable?)`);
  return x;
}

function slurm(env: NodeJS.ProcessEnv, id: number): Shard {
  const count = envInt(env, 'SLURM_ARRAY_TASK_COUNT');
  const min = envInt(env, 'SLURM_ARRAY_TASK_MIN');
  const max = envInt(env, 'SLURM_ARRAY_TASK_MAX');
  const step = envInt(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
  if (step < 1) fail(`SLURM_ARRAY_TASK_STEP must be >= 1; got ${step}`);
  if (count === undefined && (min === undefined || max === undefined)) {
    fail(
      `SLURM_ARRAY_TASK_ID=${id} is set but not the array's size: neither SLURM_ARRAY_TASK_COUNT nor both SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_MAX ` +
        '(fix: submit with sbatch --array=0-3 (Slurm sets them), or pass --shard I/N yourself)',
    );
  }
  const first = min ?? 0;
  const size = count ?? Math.floor((max! - first) / step) + 1;
  const offset = id - first;
  const index = offset / step;
  const vars = `SLURM_ARRAY_TASK_ID=${id}${min !== undefined ? `, _MIN=${min}` : ''}${max !== undefined ? `, _MAX=${max}` : ''}${count !== undefined ? `, _COUNT=${count}` : ''}${step !== 1 ? `, _STEP=${step}` : ''}`;
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    fail(`${vars} is not one of ${size} evenly spaced tasks (fix: submit a plain range such as sbatch --array=0-${size - 1}; lists like --array=1,5,7 cannot be mapped to shards)`);
  }
  if (max !== undefined && first + (size - 1) * step !== max) {
    fail(`${vars}: the array is not a plain range of ${size} tasks (fix: submit sbatch --array=0-${size - 1}, or pass --shard I/N yourself)`);
  }
  return { index, count: size, from: `Slurm array task (${vars})` };
}

/** The shard of this task from the scheduler's environment (see the top), or a teaching error. */
export function shardFromEnv(env: NodeJS.ProcessEnv): Shard {
  const slurmId = envInt(env, 'SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) return slurm(env, slurmId);
  const k8sIndex = envInt(env, 'JOB_COMPLETION_INDEX');
  const count = envInt(env, 'ATP_SIM_SHARD_COUNT');
  if (k8sIndex !== undefined) {
    if (count === undefined) {
      fail(
        `JOB_COMPLETION_INDEX=${k8sIndex} is set (a Kubernetes indexed Job) but ATP_SIM_SHARD_COUNT is not: Kubernetes does not tell a pod the number of completions ` +
          '(fix: add env ATP_SIM_SHARD_COUNT with the value of spec.completions to the pod template, as examples/k8s/sweep-job.yaml does)',
      );
    }
    if (count! < 1 || k8sIndex >= count!) fail(`JOB_COMPLETION_INDEX=${k8sIndex} must be below ATP_SIM_SHARD_COUNT=${count} (fix: set ATP_SIM_SHARD_COUNT to spec.completions)`);
    return { index: k8sIndex, count: count!, from: `Kubernetes indexed Job (JOB_COMPLETION_INDEX=${k8sIndex}, ATP_SIM_SHARD_COUNT=${count})` };
  }
  const index = envInt(env, 'ATP_SIM_SHARD_INDEX');
  if (index !== undefined || count !== undefined) {
    if (index === undefined || count === undefined) fail('ATP_SIM_SHARD_INDEX and ATP_SIM_SHARD_COUNT go together (fix: set both, e.g. 0 and 4)');
    if (count! < 1 || index! >= count!) fail(`ATP_SIM_SHARD_INDEX=${index} must be below ATP_SIM_SHARD_COUNT=${count}`);
    return { index: index!, count: count!, from: `ATP_SIM_SHARD_INDEX=${index}, ATP_SIM_SHARD_COUNT=${count}` };
  }
  return fail(
    'no job array found in the environment: it reads SLURM_ARRAY_TASK_ID (sbatch --array), JOB_COMPLETION_INDEX with ATP_SIM_SHARD_COUNT (Kubernetes indexed Job), ' +
      'or ATP_SIM_SHARD_INDEX with ATP_SIM_SHARD_COUNT (fix: run inside an array task, set those variables, or pass --shard I/N)',
  );
}

/** `--shard`: `I/N` with 0 <= I < N, or `auto` (from the environment); undefined when absent. */
export function parseShard(v: string | undefined, env: NodeJS.ProcessEnv): Shard | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === 'auto') return shardFromEnv(env);
  const m = /^(\d+)\/(\d+)$/.exec(v.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new AtpSimError('INVALID_ARGUMENT', `--shard: must be I/N with 0 <= I < N, e.g. 0/4, or auto (from a Slurm or Kubernetes job array); got "${v}"`);
  return { index, count };
}
