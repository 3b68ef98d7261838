/**
 * What the engine needs from the plug-ins it steps: a game (its rules), policies, interventions
 * and round reporters. The full interfaces (schemas, texts, registries) live in src/games,
 * src/policies, src/interventions and src/metrics; these are the parts the round loop calls, so
 * core imports none of them.
 */
import type { Csr, DecisionRecord, LlmRoundUsage } from './types.ts';
import type { World } from './world.ts';

/** A game as the round loop sees it. */
export interface GameRules {
  /** The discrete options choices index (a continuous game: its classes, e.g. within / over). */
  readonly options: readonly string[];
  /** Index of the violating option. */
  readonly violation: number;
  readonly startCapital: number;
  /**
   * A continuous game: agents choose an amount in [min, max] (written to `DecideContext.amounts`);
   * `choices` then hold the game's classes of amounts (e.g. within / over the sustainable share),
   * which `pay` writes. Absent: a discrete game, choices index `options`.
   */
  readonly continuous?: {
    readonly min: number;
    readonly max: number;
    /** The amount an agent whose policy gave only a class (classic policies, forced agents) takes. */
    amountFor(choice: number, round: number, world: World, agent?: number): number;
  };
  /**
   * A game built from one 2-player interaction per edge: the row player's payoff for each pair of
   * choices (`values[mine * options + theirs]`) and how an agent's interactions add up. Policies
   * that scale by the largest possible payoff difference (`proportional`) read it; absent: the
   * game has no such matrix.
   */
  readonly payoffMatrix?: { readonly values: readonly number[]; readonly accumulate: 'sum' | 'mean' };
  /** Names of the game's own round metrics (read with `report`), appended to the round record. */
  readonly metrics?: readonly string[];
  /**
   * The game reads more than a choice from replies (the tool-use game: an answer): `pay` then
   * gets the round's model replies by agent (undefined for agents that made no call).
   */
  readonly readsReplies?: boolean;
  /**
   * Pays a round: writes `payoff` (capital delta) and `world.capital` (after) in place from every
   * agent's choice, and returns the game's outcome (opaque to the engine: memory, records and
   * reporters hand it back to the game). The outcome is read within its round: a game may reuse
   * its arrays in the next round's `pay` (copy what you keep).
   */
  pay(round: number, choices: Int8Array, world: World, payoff: Float64Array, amounts: Float64Array | null, replies?: ReadonlyArray<string | undefined>): unknown;
  /**
   * After `pay`: per agent, how many of its closed neighbourhood (itself and its neighbours on
   * `csr`) chose option 0 in the round just paid, or null when the game keeps no such count. The
   * engine hands it to the next round's policies (DecideContext.prev.closedZero), so a policy
   * needs no walk of its own to know which neighbourhoods chose alike: the game's neighbour pass
   * serves both.
   */
  closedZeroCounts?(): { readonly counts: Int32Array; readonly csr: Csr } | null;
  /** Adds the game's own fields to an agent's decision record (written after `capital`). */
  describe?(agent: number, outcome: unknown, record: { -readonly [K in keyof DecisionRecord]: DecisionRecord[K] }): void;
  /** The game's value of a named round metric (`success`, `collective`, ...), or undefined. */
  report?(name: string, outcome: unknown): unknown;
}

/** Everything a policy may read when it decides (the snapshot S_t and the round's stream). */
export interface DecideContext {
  readonly round: number;
  readonly world: World;
  /** Last round's choices and payoffs (random-sequential: with this round's earlier choices). */
  readonly prev: {
    readonly choice: Int8Array;
    readonly payoff: Float64Array;
    /**
     * The synchronous schedule, when the game keeps them (GameRules.closedZeroCounts): per agent,
     * how many of its closed neighbourhood on `csr` chose option 0 in `choice`, and how many
     * choices in `choice` are INVALID. A policy checks `csr` against `world.csr` (an intervention
     * may have replaced the graph since).
     */
    readonly closedZero?: { readonly counts: Int32Array; readonly csr: Csr; readonly invalid: number };
  };
  /** The round's policy stream, shared by all classic policies in placement order. */
  readonly rng: () => number;
  /** Continuous games: this round's amounts (NaN until a policy writes one); null otherwise. */
  readonly amounts: Float64Array | null;
}

/**
 * Everything an agent's memory may read of a finished round. Read it within `remember`: its
 * arrays and the outcome's are reused in later rounds (copy what you keep).
 */
export interface RoundView {
  readonly round: number; // 1-based
  readonly choices: Int8Array;
  /** Reply text per agent as histories and peers see it (synthesised for non-model agents). */
  readonly replies: ReadonlyArray<string | undefined>;
  readonly payoff: Float64Array;
  readonly capital: Float64Array;
  /** The game's outcome of the round (what `GameRules.pay` returned). */
  readonly outcome: unknown;
}

export interface Policy {
  /** Model-driven: its agents are recorded with `record: 'llm'` and make no call when forced. */
  readonly usesModel?: boolean;
  /** The model it calls (round records split model use by it when a run has several). */
  readonly modelId?: string;
  /** Writes a choice for each of `agents` into `out`. The only place a round may `await`. */
  decide(agents: Int32Array, ctx: DecideContext, out: Int8Array): void | Promise<void>;
  /** Overwrites `replies` for its agents with what they replied this round. */
  fillReplies?(replies: Array<string | undefined>): void;
  /** What games reading replies get (`readsReplies`): the reply, then any repair reply; else fillReplies. */
  fillAnswers?(replies: Array<string | undefined>): void;
  /** Remembers a finished round (histories of model agents). */
  remember?(view: RoundView): void;
  /** Appends this round's call data to an agent's record; false when the agent made no call. */
  record?(agent: number, d: { -readonly [K in keyof DecisionRecord]: DecisionRecord[K] }): boolean;
  /** Model use in the round just decided. */
  usage?(): LlmRoundUsage;
}

/** Applied before the agents decide, at the rounds it chooses; may change the world. */
export interface Intervention {
  readonly name: string;
  /** Returns a short record of what changed (kept in the round's record), or null. */
  apply(round: number, world: World): Record<string, unknown> | null;
  /** After the game paid: may change payoffs and capital (fines, ...); returns what changed, or null. */
  afterPay?(round: number, world: World, choices: Int8Array, payoff: Float64Array): Record<string, unknown> | null;
}

/** What round reporters read: the round's arrays and a one-pass tally of them. */
export interface RoundFacts {
  readonly round: number;
  readonly n: number;
  readonly choices: Int8Array;
  readonly capital: Float64Array;
  readonly payoff: Float64Array;
  readonly violations: number;
  readonly invalid: number;
  readonly capitalSum: number;
  readonly seeds: number;
  readonly seededViolating: number;
  readonly game: GameRules;
  readonly outcome: unknown;
  /** Summed model use of the round; undefined when no agent uses a model. */
  readonly usage: LlmRoundUsage | undefined;
  /** What interventions changed this round (undefined when none applied). */
  readonly changes: Record<string, unknown> | undefined;
}

/** A named round metric; `undefined` leaves the field out of the round record. */
export type RoundReporter = (facts: RoundFacts) => unknown;
