/**
 * A paradigm of the paper as something `atp-sim reproduce atp` runs: its grid (as ordinary
 * sweeps, so cells, replicates, resume, the response cache and model checks are the sweep
 * machinery's) and its tables. The registry (registry.ts) maps a name to one of these.
 */
import type { LoadedRun } from '../sweep.ts';
import type { Figure } from './figures.ts';
import type { Incentive } from './incentives.ts';

/** What the user chose that shapes a grid. */
export interface ReproduceSettings {
  /** ATP data folder (ma_templates.json, sa_questions_64.json); undefined: the shipped own-words scenarios. */
  readonly atpData?: string;
  /** Group games: the reward sets to run (default: the paper's five). */
  readonly incentives: readonly Incentive[];
  readonly replicates: number;
  readonly seed: number;
}

/** One sweep of a grid: a raw sweep (src/scenarios/sweep.ts) and the folder its paths resolve against. */
export interface GridSweep {
  readonly raw: Record<string, unknown>;
  readonly dir: string;
}

/** The paper's design of one grid: what it is, in words, and how many model calls it takes. */
export interface Design {
  readonly text: string;
  readonly calls: number;
}

/** A complete run of a grid's cell, with what the tables need. */
export interface GridRun {
  /** The sweep it belongs to (a game at one incentive ratio, a dilemma, an item). */
  readonly sweep: string;
  readonly run: LoadedRun;
}

/** A table for the terminal and report.md. */
export interface ResultTable {
  readonly title: string;
  /** Sentences under the title: what a cell is, its denominator. */
  readonly notes: readonly string[];
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
}

/** A tidy series for a CSV file (one row per condition and round): the figure's data. */
export interface Series {
  /** File stem: `<id>.csv`. */
  readonly id: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Readonly<Record<string, string | number | null>>>;
}

/** A published number or statement of the paper beside what this reproduction measured. */
export interface Reference {
  readonly setting: string;
  readonly model: string;
  readonly round: number | null;
  /** Percent as published; null for a qualitative statement. */
  readonly percent: number | null;
  /** The count and denominator the published percent stands for (e.g. 43 of 56). */
  readonly count: number | null;
  readonly denominator: number | null;
  /** true: the paper gives no number here, only a direction; compare by eye. */
  readonly qualitative: boolean;
  readonly statement: string;
  /** This reproduction at the same setting and round, when it ran it. */
  readonly measured: { readonly count: number; readonly decisions: number; readonly rate: number } | null;
  /** For a qualitative statement: what this reproduction shows at that setting, in words. */
  readonly observed?: string;
}

export interface ParadigmResults {
  readonly tables: readonly ResultTable[];
  readonly series: readonly Series[];
  /** The paper's figures: `<id>.svg`. */
  readonly figures: readonly Figure[];
  readonly references: readonly Reference[];
}

export interface Paradigm {
  readonly name: string;
  readonly title: string;
  /**
   * Set when ATP's released data has nothing for this paradigm: why --atp-data leaves it on the
   * shipped scenarios (its folder and cache are then the same with or without --atp-data).
   */
  readonly ownWordsOnly?: string;
  readonly design: (s: ReproduceSettings) => Design;
  readonly sweeps: (s: ReproduceSettings) => GridSweep[];
  readonly results: (runs: readonly GridRun[], s: ReproduceSettings) => ParadigmResults;
}

/** A paradigm this build cannot run yet: the line that says what it needs. */
export interface MissingParadigm {
  readonly name: string;
  readonly missing: string;
}
