/**
 * The explorer's data: everything the page shows, read once in Node and inlined into the page
 * as JSON. The shape is versioned (`format`) because other pages (the live view) embed it.
 *
 * Agents are referred to by their position in a run's `agents` list (the shown agents: all of
 * them, or a sample above EXPLORER_NODE_LIMIT); `agents[i]` is the agent's index in the run.
 * Long texts (prompts, replies, reasoning) are stored once in `texts` and referred to by index,
 * because every LLM agent of a run receives the same system prompt each round.
 */

export const EXPLORER_FORMAT = 'atp-sim/explorer@1';

/** One round of one LLM agent: what it was sent and what it answered. */
export interface ExplorerTurn {
  readonly round: number;
  /** The exact messages sent, as [role, index into `texts`]. */
  readonly messages: ReadonlyArray<readonly [string, number]>;
  /** Index into `texts` of the reply, of the reasoning (when any); -1 when absent. */
  readonly reply: number;
  readonly reasoning: number;
  readonly choice: string | null;
  readonly valid: boolean;
  readonly payoff: number;
  readonly error?: string;
}

/** One round of a run as the diffusion curve draws it (all agents, sampled or not). */
export interface ExplorerSeriesPoint {
  readonly round: number;
  readonly violationRate: number;
  readonly invalid: number;
  readonly meanCapital: number;
}

export interface ExplorerRun {
  readonly id: string;
  /** Index into ExplorerData.conditions. */
  readonly condition: number;
  readonly replicate: number;
  readonly seed: number;
  readonly scenario: string;
  readonly model: string | null;
  /** Agents in the run, and the ones shown (equal unless the view is sampled). */
  readonly totalAgents: number;
  readonly totalEdges: number;
  /** Why only some agents are shown; null when all are. */
  readonly sampleNote: string | null;
  /** Run index of each shown agent. */
  readonly agents: readonly number[];
  /** Node names when they are not the agent indices (network files with their own keys). */
  readonly labels?: readonly string[];
  /** Edges among shown agents, flat pairs of positions in `agents`. */
  readonly edges: readonly number[];
  /**
   * The graph agents observed from a round on, each time an intervention changed it (agents
   * removed, edges rewired): its edges among the shown agents, as `edges`. Absent: unchanged.
   */
  readonly graphChanges?: ReadonlyArray<{ readonly round: number; readonly edges: readonly number[] }>;
  /** Positions in [0, 1]^2, flat [x0, y0, x1, y1, ...], and how they were computed. */
  readonly positions: readonly number[];
  readonly layout: 'circle' | 'grid' | 'force';
  /** Degree of each shown agent in the whole graph. */
  readonly degree: readonly number[];
  /** Role of each shown agent: index into `roleNames` (committed, seeded, regular). */
  readonly roles: readonly number[];
  readonly roleNames: readonly string[];
  /** Policy of each shown agent: index into `policyNames`. */
  readonly policies: readonly number[];
  readonly policyNames: readonly string[];
  readonly optionNames: readonly string[];
  readonly violationIndex: number;
  /**
   * Per recorded round, per shown agent: option index, -1 an invalid reply, -2 not recorded
   * (`record: llm` or `none`).
   */
  readonly choices: ReadonlyArray<readonly number[]>;
  /** Per round, per shown agent: 1 violated, 2 violated and was paid more than zero (bits). */
  readonly flags: ReadonlyArray<readonly number[]>;
  /** Per round, per shown agent: capital after the round (4 significant digits), or null when not recorded. */
  readonly capital: ReadonlyArray<ReadonlyArray<number | null>>;
  /** rounds.jsonl: the whole population, whatever is shown. */
  readonly series: readonly ExplorerSeriesPoint[];
  /** LLM agents' turns by position in `agents` (only agents with recorded messages). */
  readonly turns: Readonly<Record<string, readonly ExplorerTurn[]>>;
}

export interface ExplorerCondition {
  readonly label: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Indices into ExplorerData.runs, by replicate. */
  readonly runs: readonly number[];
}

export interface ExplorerData {
  readonly format: typeof EXPLORER_FORMAT;
  readonly title: string;
  readonly kind: 'run' | 'sweep';
  /** Things the reader should know: runs left out, a sampled view, a cap on runs. */
  readonly notes: readonly string[];
  readonly conditions: readonly ExplorerCondition[];
  readonly runs: readonly ExplorerRun[];
  readonly texts: readonly string[];
}
