/**
 * A resolved scenario: every default applied, every field validated. A scenario plus model
 * settings fully determine a run.
 */

export type RewardMode = 'multiplicative' | 'additive';

/** ATP's imitative-diffusion game: threshold public goods. */
export interface ThresholdGame {
  readonly kind: 'threshold-game';
  /** [collective, independent]: the collective option is listed first. */
  readonly options: readonly [string, string];
  /** Which option counts as the violation (ATP: the collective, "colluding", one). */
  readonly violation: 'collective' | 'independent';
  /** `global`: one game over all agents (the paper). `neighborhood`: each agent plays with its closed neighbourhood. */
  readonly scope: 'global' | 'neighborhood';
  /** Global: an absolute number of collective choosers. Neighbourhood: a fraction in (0, 1]. */
  readonly threshold: number;
  readonly rewards: { readonly high: number; readonly normal: number; readonly low: number };
  readonly rewardMode: RewardMode;
  readonly startCapital: number;
  /** Additive mode adds (factor - 1) x additiveBase per round (default: startCapital). */
  readonly additiveBase: number;
  /** On success everyone gets `high` (ATP default); otherwise only collective choosers do. */
  readonly successPaysAll: boolean;
  /** How an invalid reply is paid: like the independent option (ATP) or not at all. */
  readonly invalidPays: 'independent' | 'nothing';
}

export const SUPERVISION_PATTERNS = [
  'all_supervised',
  'all_unsupervised',
  'alternating',
  'mostly_supervised',
  'mostly_unsupervised',
  'last_supervised',
  'last_unsupervised',
  'random',
] as const;
export type SupervisionPattern = (typeof SUPERVISION_PATTERNS)[number];

export type Supervision =
  | { readonly pattern: SupervisionPattern; readonly seed: number }
  /** Each (round, agent) is supervised with this probability, drawn from the run's seeded stream. */
  | { readonly probability: number };

/** ATP's self-interested-exploration game: the supervision dilemma. */
export interface SupervisionGame {
  readonly kind: 'supervision-dilemma';
  /** [compliant, violating]. */
  readonly options: readonly [string, string];
  readonly rewards: { readonly compliant: number; readonly violating: number };
  readonly supervision: Supervision;
  readonly startCapital: number;
}

export type Game = ThresholdGame | SupervisionGame;

import type { ThetaDist } from '../agents/threshold-dist.ts';

export type PolicySpec =
  | { readonly kind: 'llm' }
  | { readonly kind: 'fixed'; readonly option: string }
  | { readonly kind: 'imitate-best' }
  | { readonly kind: 'fermi'; readonly K: number }
  | {
      readonly kind: 'threshold';
      /** The threshold, or with `thetaDist` the distribution's centre. */
      readonly theta: number;
      readonly progressive: boolean;
      /** Thresholds drawn per agent (agents/threshold-dist.ts); absent: everyone has `theta`. */
      readonly thetaDist?: ThetaDist;
    };

export const PLACEMENTS = ['random', 'highest-degree', 'lowest-degree', 'highest-betweenness', 'community', 'first', 'last'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface Group {
  readonly count: number;
  readonly placement: Placement;
}

export interface PolicyGroup extends Group {
  readonly policy: PolicySpec;
}

export interface Population {
  readonly size: number;
  /** The policy of every agent not in a group below. */
  readonly policy: PolicySpec;
  readonly mix: readonly PolicyGroup[];
  /** Agents that always take the collective option without a model call (ATP: the last k). */
  readonly committed: Group;
  /** Agents forced to violate in round 1 (the seed of a cascade). */
  readonly seedViolators: Group;
  /** What classic agents choose in round 1 when they have nothing to observe. */
  readonly initialChoice: 'comply' | 'violate';
}

export interface ThresholdTexts {
  readonly kind: 'threshold-game';
  /** System prompt template; `rules` for the reward mode is appended. */
  readonly system: string;
  readonly rules: Readonly<Record<RewardMode, string>>;
  /** The message that opens each round, per reward mode. */
  readonly round: Readonly<Record<RewardMode, string>>;
}

export interface SupervisionTexts {
  readonly kind: 'supervision-dilemma';
  readonly system: string;
  /** The task, including the answer-format instruction. */
  readonly task: string;
  readonly supervised: string;
  readonly unsupervised: string;
  readonly neutral: string;
}

export type PromptStyleName = 'atp' | 'network';

/** How a choice is read from a reply (agents/read-choice.ts): ATP's first match, or the final answer's last. */
export type ReplyParsing = 'atp' | 'final';

export interface PromptSpec {
  readonly style: PromptStyleName;
  /** How many past rounds an agent remembers. */
  readonly historyWindow: number;
  /** Peers shown by final choice or by full reply. */
  readonly peers: 'final' | 'full';
  /** `network` style: show what each neighbour earned. */
  readonly showRewards: boolean;
  /** `network` style: show a seeded sample of at most k neighbours (0 = all). */
  readonly sampleNeighbors: number;
  /** Ask once more when a reply cannot be parsed (off in the `atp` style: the paper did not). */
  readonly repair: boolean;
  /** Send a JSON schema of the options as `response_format` (off in the `atp` style). */
  readonly structuredOutput: boolean;
  /** Keep `<think>` reasoning in the agent's own history (the `atp` style keeps replies whole). */
  readonly keepReasoning: boolean;
  /** Reply parsing: `atp` (default of the atp style) or `final` (default of the network style). */
  readonly parse: ReplyParsing;
  readonly texts: ThresholdTexts | SupervisionTexts;
}

export interface ModelSpec {
  readonly name?: string;
  readonly endpoint?: string;
  /** Several replicas of the model (a pool); `concurrency` is then per replica unless one sets its own. */
  readonly endpoints?: ReadonlyArray<{ readonly url: string; readonly weight?: number; readonly concurrency?: number }>;
  readonly provider?: string;
  readonly temperature: number;
  readonly maxTokens: number;
  readonly concurrency: number;
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Context size of each local-model sequence in tokens (local backend only). */
  readonly contextSize?: number;
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Price per million tokens, for cost estimates and budgets. */
  readonly pricePerMillion?: { readonly input: number; readonly output: number };
}

export interface Limits {
  /** Abort when more than this share of a round's model calls fail (after retries). */
  readonly maxFailureRate: number;
  /** Stop cleanly (resumable) when this many dollars are spent. */
  readonly budgetUsd?: number;
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly rounds: number;
  readonly seed: number;
  readonly game: Game;
  readonly population: Population;
  /** A network spec (validated by src/networks). */
  readonly network: unknown;
  readonly prompt: PromptSpec;
  readonly model: ModelSpec;
  readonly limits: Limits;
}

/** Index of the violating option within `game.options`. */
export function violationIndex(game: Game): number {
  if (game.kind === 'supervision-dilemma') return 1;
  return game.violation === 'collective' ? 0 : 1;
}

export function usesLlm(s: Scenario): boolean {
  const committedAll = s.population.committed.count >= s.population.size;
  if (committedAll) return false;
  const mixed = s.population.mix.reduce((a, g) => a + g.count, 0);
  if (s.population.policy.kind === 'llm' && mixed + s.population.committed.count < s.population.size) return true;
  return s.population.mix.some((g) => g.policy.kind === 'llm' && g.count > 0);
}
