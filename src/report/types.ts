/**
 * The data a report page is rendered from (`buildReportData` in src/report/data.ts produces it,
 * `renderReport` in src/report/html.ts renders it). Plain JSON-serialisable data.
 * Shape is frozen: extend only by adding optional fields.
 */
import type { ChatMessage } from '../core/types.ts';
import type { Interval } from '../metrics/intervals.ts';
import type { ConditionDifference } from '../metrics/difference.ts';

export type { Interval } from '../metrics/intervals.ts';
export interface ReportCondition {
  readonly label: string;                       // e.g. "network.kind=ring"
  readonly params: Readonly<Record<string, unknown>>;
  readonly replicates: number;
  readonly violation: ReadonlyArray<Interval & { readonly round: number }>;   // per round
  readonly success?: ReadonlyArray<Interval & { readonly round: number }>;
  readonly finalRate: Interval;
  readonly tippedShare: Interval;
  readonly halfRoundMedian: number | null;
}
export interface ExposureCurve {
  readonly label: string;
  readonly points: ReadonlyArray<{ readonly k: number; readonly p: number; readonly lo: number; readonly hi: number; readonly n: number }>;
  /** Optional: which neighbours count (`rewarded`: violated and earned a positive payoff). */
  readonly variant?: 'any' | 'rewarded';
  /** Optional: `count` (k = violating neighbours) or `fraction` (k = lower edge of a k/d bin of width 0.1). */
  readonly by?: 'count' | 'fraction';
  /** Optional: the label of the condition it was pooled from (curves of one condition share a panel). */
  readonly condition?: string;
}
export interface NetworkView {
  readonly nodes: number; readonly edges: ReadonlyArray<readonly [number, number]>;
  readonly labels?: readonly string[];
  readonly optionNames: readonly [string, string]; readonly violationIndex: number;
  readonly snapshots: ReadonlyArray<{ readonly round: number; readonly choices: readonly number[] }>; // per node: 0, 1, or -1 (invalid)
  /** Optional: the run it shows, its condition, and how many runs the report has. */
  readonly run?: { readonly id: string; readonly condition: string; readonly seed: number; readonly of: number };
}
export interface ReportData {
  readonly title: string;
  readonly kind: 'run' | 'sweep';
  readonly subtitle?: string;
  readonly conditions: readonly ReportCondition[];
  /**
   * Final violation rate over two grid axes. With a third axis, `panelLabel` names it and each
   * cell's `panel` its value (one heat map per value); axes beyond are named in `pooledOver`
   * (their runs are averaged together in each cell).
   */
  readonly heatmap?: {
    readonly xLabel: string;
    readonly yLabel: string;
    readonly cells: ReadonlyArray<{ readonly x: string; readonly y: string; readonly value: number; readonly n: number; readonly panel?: string }>;
    readonly panelLabel?: string;
    readonly pooledOver?: readonly string[];
  };
  readonly exposure: readonly ExposureCurve[];
  /** Optional (sweeps): each condition against the first, the control (src/metrics/difference.ts). */
  readonly differences?: { readonly control: string; readonly rows: readonly ConditionDifference[] };
  /** Optional: the same curves by the fraction k/d of violating neighbours (bins of 0.1). */
  readonly exposureByFraction?: readonly ExposureCurve[];
  readonly network?: NetworkView;
  readonly runs: ReadonlyArray<{ readonly id: string; readonly params: Readonly<Record<string, unknown>>; readonly seed: number; readonly finalRate: number | null; readonly tipped: boolean | null; readonly halfRound: number | null; readonly firstViolationRound: number | null; readonly invalid: number; readonly replyParsing?: ReplyParsingCount | null }>;
  /** Optional: the LLM and surrogate curves from the folder's surrogate.json (src/report/surrogate.ts). */
  readonly surrogate?: SurrogateView;
  readonly transcripts: ReadonlyArray<{ readonly run: string; readonly round: number; readonly agent: number; readonly messages: readonly ChatMessage[]; readonly reply: string; readonly choice: string | null; readonly note: string }>;
  /** Optional (single-run reports): each round's record, and the model's use and cost. */
  readonly runDetail?: RunDetail;
}

export interface RunDetailRound {
  readonly round: number;
  readonly decisions: number;
  readonly violations: number;
  readonly violationRate: number;
  readonly invalid: number;
  readonly success: number | null;
  readonly meanCapital: number | null;
  readonly gini: number | null;
  readonly calls: number;
  readonly failed: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
}

export interface RunDetail {
  readonly rounds: readonly RunDetailRound[];
  /** Model id (null: rule-based agents only) and backend. */
  readonly model: string | null;
  readonly backend: string | null;
  readonly calls: number;
  readonly failed: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  /** At the scenario's prices; null when it has none. */
  readonly costUsd: number | null;
}

/**
 * A run's reply parsing (`prompt.parse`) and the replies the other parsing reads differently.
 * Null: no LLM agents, or a run recorded before the count existed.
 */
export interface ReplyParsingCount {
  readonly mode: 'atp' | 'final';
  readonly disagreements: number;
}

/** `atp-sim fit`'s curve check: per condition, the LLM runs' share violating per round beside the surrogate's. */
export interface SurrogateView {
  readonly file: string;
  readonly features: readonly string[];
  readonly conditions: ReadonlyArray<{
    readonly condition: string;
    readonly llmRuns: number;
    readonly surrogateRuns: number;
    readonly rounds: ReadonlyArray<{ readonly round: number; readonly llm: Interval; readonly surrogate: number; readonly inside: boolean | null }>;
  }>;
}
