/**
 * The callback baseline: the classic policies and the threshold-game payoff written the
 * straightforward way, walking graphology's `forEachNeighbor` callbacks on the same graph (built
 * from the CSR with `toGraphology`). Per-agent state lives in typed arrays found through a
 * key -> index Map, which is what a careful first implementation on graphology looks like; it is
 * not a strawman that keeps state in node attributes.
 *
 * It follows the engine's rules to the letter (round 1 starts from the initial choice, committed
 * agents collude, seeded violators violate in round 1; imitate-best keeps its own choice on ties
 * and otherwise the first strictly better neighbour; fermi draws its neighbour and its coin from
 * the round's `policy` stream in agent order), so that the engine and the baseline must produce
 * the same choices every round. bench/classic.ts times both; tests/bench/baseline.test.ts checks
 * that they agree.
 */
import type { UndirectedGraph } from 'graphology';
import { rngStream } from '../src/core/rng.ts';
import { assignRoles } from '../src/policies/roles.ts';
import type { Csr } from '../src/core/types.ts';
import { INVALID, payBySuccess } from '../src/games/threshold/payoff.ts';
import type { Scenario, ThresholdGame } from '../src/scenarios/types.ts';
import { violationIndex } from '../src/scenarios/types.ts';

export interface BaselineOptions {
  /** Rounds to run (default: the scenario's). */
  readonly rounds?: number;
  /** Called after each round with its choices (a view, valid during the call only). */
  readonly onChoices?: (round: number, choices: Int8Array) => void;
}

export interface BaselineResult {
  readonly rounds: number;
  readonly finalChoices: Int8Array;
  readonly finalCapital: Float64Array;
  /** Violations per round. */
  readonly violations: number[];
}

/** Runs a threshold game with classic policies over graphology callbacks. */
export function runCallbackBaseline(scenario: Scenario, csr: Csr, graph: UndirectedGraph, options: BaselineOptions = {}): BaselineResult {
  if (scenario.game.kind !== 'threshold-game') throw new Error('runCallbackBaseline: threshold games only');
  const game = scenario.game as ThresholdGame;
  const n = graph.order;
  const keys: string[] = [];
  const index = new Map<string, number>();
  graph.forEachNode((key) => {
    index.set(key, keys.length);
    keys.push(key);
  });
  // Roles (who is committed, seeded, which policy) are placement, not the hot loop: shared.
  const roles = assignRoles(scenario, csr);
  const vIdx = violationIndex(game);
  const initial = scenario.population.initialChoice === 'violate' ? vIdx : 1 - vIdx;
  const rounds = options.rounds ?? scenario.rounds;

  let prevChoice = new Int8Array(n).fill(INVALID);
  let prevPayoff = new Float64Array(n);
  let choice = new Int8Array(n);
  let payoff = new Float64Array(n);
  const capital = new Float64Array(n).fill(game.startCapital);
  const violations: number[] = [];

  for (let round = 1; round <= rounds; round++) {
    const rng = rngStream(scenario.seed, 'policy', round);
    for (const [key, agents] of roles.byPolicy) {
      const spec = roles.specs.get(key)!;
      if (spec.kind === 'llm' || spec.kind === 'surrogate') throw new Error('runCallbackBaseline: classic hand-written policies only');
      for (const i of agents) {
        const node = keys[i];
        if (spec.kind === 'fixed') {
          const o = spec.option.toLowerCase();
          choice[i] = o === 'violate' ? vIdx : o === 'comply' ? 1 - vIdx : game.options.findIndex((x) => x.toLowerCase() === o);
          continue;
        }
        if (round === 1) {
          choice[i] = initial;
          continue;
        }
        if (spec.kind === 'imitate-best') {
          let bestChoice = prevChoice[i];
          let best = bestChoice === INVALID ? -Infinity : prevPayoff[i];
          graph.forEachNeighbor(node, (neighbour) => {
            const j = index.get(neighbour)!;
            if (prevChoice[j] !== INVALID && prevPayoff[j] > best) {
              best = prevPayoff[j];
              bestChoice = prevChoice[j];
            }
          });
          choice[i] = bestChoice;
        } else if (spec.kind === 'fermi') {
          choice[i] = prevChoice[i];
          const neighbours: number[] = [];
          graph.forEachNeighbor(node, (neighbour) => {
            neighbours.push(index.get(neighbour)!);
          });
          if (neighbours.length === 0) continue;
          const j = neighbours[Math.floor(rng() * neighbours.length)];
          const p = 1 / (1 + Math.exp((prevPayoff[i] - prevPayoff[j]) / spec.K));
          if (rng() < p && prevChoice[j] !== INVALID) choice[i] = prevChoice[j];
        } else if (spec.kind === 'threshold') {
          let deg = 0;
          let k = 0;
          graph.forEachNeighbor(node, (neighbour) => {
            deg++;
            if (prevChoice[index.get(neighbour)!] === vIdx) k++;
          });
          const tipped = deg > 0 && k / deg >= spec.theta;
          choice[i] = tipped || (spec.progressive && prevChoice[i] === vIdx) ? vIdx : 1 - vIdx;
        }
      }
    }
    for (const a of roles.committed) choice[a] = 0;
    if (round === 1) for (const a of roles.seedViolators) choice[a] = vIdx;

    payThresholdByCallbacks(game, graph, keys, index, choice, capital, payoff);
    let v = 0;
    for (let i = 0; i < n; i++) if (choice[i] === vIdx) v++;
    violations.push(v);
    options.onChoices?.(round, choice);

    [prevChoice, choice] = [choice, prevChoice];
    [prevPayoff, payoff] = [payoff, prevPayoff];
  }
  return { rounds, finalChoices: prevChoice, finalCapital: capital, violations };
}

/**
 * The threshold public-goods payoff with each neighbourhood counted by callbacks; the payment
 * itself, once every game is decided, is the engine's own (payBySuccess): only the graph walk is
 * what the baseline stands for.
 */
function payThresholdByCallbacks(
  game: ThresholdGame,
  graph: UndirectedGraph,
  keys: readonly string[],
  index: Map<string, number>,
  choices: Int8Array,
  capital: Float64Array,
  payoff: Float64Array,
): void {
  const n = keys.length;
  const success = new Uint8Array(n);
  if (game.scope === 'global') {
    let collectiveCount = 0;
    for (let i = 0; i < n; i++) if (choices[i] === 0) collectiveCount++;
    success.fill(collectiveCount / n >= game.threshold / n ? 1 : 0);
  } else {
    for (let i = 0; i < n; i++) {
      let c = choices[i] === 0 ? 1 : 0;
      let size = 1;
      graph.forEachNeighbor(keys[i], (neighbour) => {
        size++;
        if (choices[index.get(neighbour)!] === 0) c++;
      });
      success[i] = c / size >= game.threshold ? 1 : 0;
    }
  }
  payBySuccess(game, choices, success, capital, payoff);
}
