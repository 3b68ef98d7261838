/**
 * The resolved scenario as the engine sees it: every default applied, every field validated.
 * A scenario plus model settings fully determine a run.
 *
 * Game settings and game texts are open: each game declares its own types in its folder under
 * src/games/ and adds them to `GameConfigs` / `GameTextsByKind` by module augmentation
 * (`declare module '.../core/scenario.ts'`), so the union below grows with every registered
 * game while core imports none of them (the TypeScript form of a plug-in registry).
 */

/** Game settings by `kind`; filled in by each game's `types.ts`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GameConfigs {}
/** Prompt texts by game `kind`; filled in by each game's `types.ts`. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GameTextsByKind {}

/** What every game's settings share. */
export interface GameConfigBase {
  readonly kind: string;
  /** The discrete options, in the order choices index them (continuous games: the two classes). */
  readonly options: readonly string[];
  readonly startCapital: number;
}

export type Game = GameConfigs[keyof GameConfigs];
export type GameTexts = GameTextsByKind[keyof GameTextsByKind];

/** A model of its own for one LLM policy group (mixed-model populations). */
export interface GroupModel {
  readonly name: string;
  readonly endpoint?: string;
  readonly provider?: string;
}

/** Per-agent thresholds of the `threshold` policy (scenarios/threshold-dist.ts reads and draws them). */
export type ThetaDist =
  | { readonly uniform: readonly [number, number] }
  | { readonly normal: readonly [number, number] }
  | { readonly list: readonly number[] };

export type PolicySpec =
  | {
      readonly kind: 'llm';
      /** This group's own model (default: the run's model). */
      readonly model?: GroupModel;
      /** A prompt variant: a persona and/or a rule sentence added to the system prompt. */
      readonly persona?: string;
      readonly rule?: string;
      /** Names the group in records (`llm:<label>`). */
      readonly label?: string;
    }
  | { readonly kind: 'fixed'; readonly option: string }
  | { readonly kind: 'imitate-best' }
  /** Bargaining: propose one step the way the best-earning neighbour last moved. */
  | { readonly kind: 'imitate-direction' }
  | { readonly kind: 'fermi'; readonly K: number }
  /** Proportional imitation (Santos and Pacheco 2005); scaled by the game's payoff matrix. */
  | { readonly kind: 'proportional' }
  /** A fitted model of LLM decisions (surrogate.json from `atp-sim fit`). */
  | { readonly kind: 'surrogate'; readonly file: string }
  | {
      readonly kind: 'threshold';
      /** The threshold, or with `thetaDist` the distribution's centre. */
      readonly theta: number;
      readonly progressive: boolean;
      /** Thresholds drawn per agent (scenarios/threshold-dist.ts); absent: everyone has `theta`. */
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

export type PromptStyleName = 'atp' | 'network';

/** How a choice is read from a reply (policies/llm/read-choice.ts): ATP's first match, or the final answer's last. */
export type ReplyParsing = 'atp' | 'final';

/**
 * What an agent is shown of its neighbours in the `network` style: `list` every neighbour's
 * choice and earnings, `sample` k of them (seeded), `summary` per option how many chose it, how
 * many of those were rewarded and their mean earnings (with `best`, the best earner's choice).
 */
export type ObserveMode =
  | { readonly kind: 'list' }
  | { readonly kind: 'sample'; readonly k: number }
  | { readonly kind: 'summary'; readonly best: boolean };

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
  /** `network` style: how neighbours are shown (every one, a seeded sample, or a tally per option). */
  readonly observe: ObserveMode;
  /** Refuse to send a prompt estimated above this many tokens (a failed decision); absent: no guard. */
  readonly maxPromptTokens?: number;
  /** Ask once more when a reply cannot be parsed (off in the `atp` style: the paper did not). */
  readonly repair: boolean;
  /** Send a JSON schema of the options as `response_format` (off in the `atp` style). */
  readonly structuredOutput: boolean;
  /** Keep `<think>` reasoning in the agent's own history (the `atp` style keeps replies whole). */
  readonly keepReasoning: boolean;
  /** Reply parsing: `atp` (default of the atp style) or `final` (default of the network style). */
  readonly parse: ReplyParsing;
  readonly texts: GameTexts;
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
  /** Local backend: let agents' tokens share llama.cpp batches (faster; a reply, even its choice, may differ now and then between runs with the same seed). */
  readonly sharedBatches?: boolean;
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

/** Who decides when within a round (Mesa's and Agents.jl's schedulers, by name). */
export const SCHEDULES = ['synchronous', 'random-sequential'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/**
 * The per-round Gini of capital (`giniCapital`): `auto` computes it exactly up to 100 000 agents
 * (a sort of all capitals every round), `exact` at any size, `off` never (null, with
 * `giniUndefined: "not computed"`).
 */
export const GINI_MODES = ['auto', 'exact', 'off'] as const;
export type GiniMode = (typeof GINI_MODES)[number];

/** Optional round metrics a run computes. */
export interface RoundMetricsSpec {
  readonly gini: GiniMode;
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
  /** Absent: synchronous (kept out of the resolved scenario so older manifests read the same). */
  readonly schedule?: ScheduleName;
  /** Changes to the world at chosen rounds (src/interventions); absent: none. */
  readonly interventions?: readonly InterventionSpec[];
  /** Optional round metrics; absent: the defaults (kept out so older manifests read the same). */
  readonly metrics?: RoundMetricsSpec;
}

/** A validated intervention's settings (each kind reads its own, in src/interventions). */
export interface InterventionSpec {
  readonly kind: string;
  readonly [setting: string]: unknown;
}

export function usesLlm(s: Scenario): boolean {
  const committedAll = s.population.committed.count >= s.population.size;
  if (committedAll) return false;
  const mixed = s.population.mix.reduce((a, g) => a + g.count, 0);
  if (s.population.policy.kind === 'llm' && mixed + s.population.committed.count < s.population.size) return true;
  return s.population.mix.some((g) => g.policy.kind === 'llm' && g.count > 0);
}
