/**
 * Which problem an agent meets in an engine round. A testbed round is `steps.easy` engine
 * rounds of easy problems followed by `steps.complex` of complex ones (the agent practises on
 * easy problems, then is evaluated on complex ones). Each difficulty's problems are dealt in a
 * seeded order (one shuffle per run), agent after agent, starting over when a pool runs out:
 * agents meet different problems and a pool is used evenly. Each turn moves on by a stride: the
 * number of agents, raised to the next number sharing no divisor with the pool's size, so an agent
 * meets every problem of a pool before any again. With the stride n itself, 20 agents on 20
 * problems met the same problem every testbed round and could answer from memory.
 */
import { rngStream } from '../../core/rng.ts';
import type { Difficulty } from './problems.ts';
import type { ToolUseGame } from './types.ts';

export interface Step {
  /** The testbed round's label (from `game.firstRound`). */
  readonly testbedRound: number;
  readonly stage: Difficulty;
  /** The step within the testbed round (0-based) and the number of steps in it. */
  readonly index: number;
  readonly of: number;
}

export interface Schedule {
  step(round: number): Step;
  /** The index in `game.problems` of the problem `agent` meets in `round` (1-based). */
  problem(round: number, agent: number): number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The smallest stride from n up whose steps visit every place of a pool of `size` (coprime). */
function strideFor(n: number, size: number): number {
  let s = Math.max(1, n);
  while (size > 1 && gcd(s, size) !== 1) s++;
  return s;
}

export function schedule(game: ToolUseGame, seed: number, n: number): Schedule {
  const per = game.steps.easy + game.steps.complex;
  const pools: Record<Difficulty, number[]> = { easy: [], complex: [] };
  game.problems.forEach((p, i) => pools[p.difficulty].push(i));
  for (const d of ['easy', 'complex'] as const) {
    const rng = rngStream(seed, 'tool-use-order', d);
    const pool = pools[d];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
  }
  const stride = { easy: strideFor(n, pools.easy.length), complex: strideFor(n, pools.complex.length) };
  const step = (round: number): Step => {
    const k = (round - 1) % per;
    return { testbedRound: game.firstRound + Math.floor((round - 1) / per), stage: k < game.steps.easy ? 'easy' : 'complex', index: k, of: per };
  };
  return {
    step,
    problem(round, agent) {
      const s = step(round);
      const inStage = s.stage === 'easy' ? s.index : s.index - game.steps.easy;
      const pool = pools[s.stage];
      const dealt = ((s.testbedRound - game.firstRound) * game.steps[s.stage] + inStage) * stride[s.stage] + agent;
      return pool[dealt % pool.length];
    },
  };
}
