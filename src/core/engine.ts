/**
 * The engine: a discrete-time loop stepping a population placed on a graph. It knows no game,
 * no policy and no metric by name: the caller hands it a game's rules, one policy per policy
 * key, interventions and round reporters (see plugins.ts).
 *
 * One round: (1) interventions due this round change the world; (2) the schedule lets every
 * policy decide (synchronous: all from the snapshot of the previous round; random-sequential:
 * agents in a seeded random order, each seeing the choices already made); model calls fan out
 * inside their policy and are keyed by agent, so completion order never changes results;
 * (3) the game pays everyone; (4) observers: memory, round reporters, the sink. The engine
 * knows nothing about files: the caller's sink writes them.
 */
import type { Csr, DecisionRecord, LlmRoundUsage, RoundRecord } from './types.ts';
import { AtpSimError } from './errors.ts';
import { rngStream } from './rng.ts';
import { FREE, INVALID, type Roles, type World } from './world.ts';
import type { DecideContext, GameRules, Intervention, Policy, RoundFacts, RoundReporter } from './plugins.ts';
import type { ScheduleName } from './scenario.ts';

export interface RunSink {
  /** Called once per completed round, in order. `decisions` is null when not recorded. */
  round(record: RoundRecord, decisions: readonly DecisionRecord[] | null): Promise<void> | void;
}

/** Where a run's rounds go, and when it stops. */
export interface RunHooks {
  readonly sink: RunSink;
  /** Which decisions to record: all agents, model agents only, or none (rounds are always recorded). */
  readonly record?: 'all' | 'llm' | 'none';
  /** Rounds before this one are re-simulated (for resume) but not sent to the sink. */
  readonly skipSinkBefore?: number;
  /** Checked after each round; a reason stops the run cleanly. */
  readonly shouldStop?: () => string | null;
  /** Cancels the run: checked before each round (policies cancel their own calls in flight). */
  readonly signal?: AbortSignal;
  readonly onRound?: (record: RoundRecord) => void;
  /** Called after each round with its choices (a view reused by the engine: copy what you keep). */
  readonly onChoices?: (round: number, choices: Int8Array) => void;
}

export interface LoopOptions extends RunHooks {
  readonly rounds: number;
  readonly seed: number;
  readonly csr: Csr;
  readonly roles: Roles;
  readonly game: GameRules;
  /** One policy per key of `roles.byPolicy`. */
  readonly policies: ReadonlyMap<string, Policy>;
  readonly reporters: ReadonlyArray<readonly [string, RoundReporter]>;
  /** How a choice is shown in records (the `atp` style uses the reference's labels). */
  readonly label: (choice: number) => string;
  readonly interventions?: readonly Intervention[];
  readonly schedule?: ScheduleName;
}

export interface EngineResult {
  readonly roundsCompleted: number;
  readonly stoppedBecause: string | null;
  readonly finalChoices: Int8Array;
  readonly finalCapital: Float64Array;
  readonly roles: Roles;
}

type MutableDecision = { -readonly [K in keyof DecisionRecord]: DecisionRecord[K] };

interface Entry {
  readonly key: string;
  readonly agents: Int32Array;
  readonly policy: Policy;
}

/** One run's fixed state, shared by the round's steps below. */
interface Loop {
  readonly opts: LoopOptions;
  readonly n: number;
  readonly world: World;
  readonly entries: readonly Entry[];
  /** Which entry owns each agent (-1: committed), for records and replies. */
  readonly owner: Int16Array;
  /** Agents of model-driven policies, ascending. */
  readonly modelAgents: Int32Array;
  readonly isSeed: Uint8Array;
  readonly synthetic: readonly string[];
}

/** This round's arrays (the engine swaps them with last round's). */
interface RoundArrays {
  readonly round: number;
  readonly choice: Int8Array;
  readonly payoff: Float64Array;
}

export async function runRounds(opts: LoopOptions): Promise<EngineResult> {
  const L = setUp(opts);
  const { n, world } = L;
  let prevChoice = new Int8Array(n).fill(INVALID);
  let prevPayoff = new Float64Array(n);
  let choice = new Int8Array(n);
  let payoff = new Float64Array(n);
  const amounts = opts.game.continuous ? new Float64Array(n) : null;
  let stoppedBecause: string | null = null;
  let completed = 0;
  /** The game's closed-neighbourhood counts of last round's choices, for this round's policies. */
  let closedZero: { counts: Int32Array; csr: Csr; invalid: number } | undefined;

  for (let round = 1; round <= opts.rounds; round++) {
    opts.signal?.throwIfAborted();
    // 1. interventions
    let changes: Record<string, unknown> | undefined;
    for (const iv of opts.interventions ?? []) {
      const c = iv.apply(round, world);
      if (c) (changes ??= {})[iv.name] = c;
    }
    // 2-3. schedule and decide
    amounts?.fill(NaN);
    const ctx: DecideContext = { round, world, prev: { choice: prevChoice, payoff: prevPayoff, closedZero }, rng: rngStream(opts.seed, 'policy', round), amounts };
    if (opts.schedule === 'random-sequential') decideSequential(L, ctx, choice);
    else await decideSynchronous(L, ctx, choice);
    if (amounts) fillAmounts(L, round, amounts, choice);

    // 4. pay
    const outcome = opts.game.pay(round, choice, world, payoff, amounts, opts.game.readsReplies ? modelReplies(L) : undefined);
    for (const iv of opts.interventions ?? []) {
      const c = iv.afterPay?.(round, world, choice, payoff);
      if (c) (changes ??= {})[iv.name] = { ...((changes[iv.name] as object) ?? {}), ...c };
    }

    // 5. observers: memory, reporters, sink
    const now: RoundArrays = { round, choice, payoff };
    remember(L, now, outcome);
    const [rec, invalid] = roundRecord(L, now, outcome, changes);
    const kept = opts.game.closedZeroCounts?.() ?? null;
    closedZero = kept ? { counts: kept.counts, csr: kept.csr, invalid } : undefined;
    if (opts.skipSinkBefore === undefined || round >= opts.skipSinkBefore) {
      await opts.sink.round(rec, (opts.record ?? 'all') === 'none' ? null : decisionRecords(L, now, outcome));
      opts.onRound?.(rec);
    }
    completed = round;
    opts.onChoices?.(round, choice);

    // advance the snapshot
    [prevChoice, choice] = [choice, prevChoice];
    [prevPayoff, payoff] = [payoff, prevPayoff];
    // Re-simulated rounds (resume) never stop the run: only rounds run now count.
    const reason = round >= (opts.skipSinkBefore ?? 0) ? (opts.shouldStop?.() ?? null) : null;
    if (reason && round < opts.rounds) {
      stoppedBecause = reason;
      break;
    }
  }

  return { roundsCompleted: completed, stoppedBecause, finalChoices: prevChoice, finalCapital: world.capital, roles: opts.roles };
}

function setUp(opts: LoopOptions): Loop {
  const { game, roles } = opts;
  const n = opts.csr.n;
  const world: World = { csr: opts.csr, roles, capital: new Float64Array(n).fill(game.startCapital), forced: null, notes: [] };
  const isSeed = new Uint8Array(n);
  for (const a of roles.seedViolators) isSeed[a] = 1;
  const entries = [...roles.byPolicy].map(([key, agents]) => ({ key, agents, policy: policyFor(opts.policies, key) }));
  const owner = new Int16Array(n).fill(-1);
  entries.forEach((e, k) => e.agents.forEach((a) => (owner[a] = k)));
  const modelAgents = Int32Array.from(entries.filter((e) => e.policy.usesModel).flatMap((e) => [...e.agents])).sort();
  if (modelAgents.length > 0 && opts.schedule === 'random-sequential') {
    throw new AtpSimError('INVALID_SCENARIO', 'schedule: random-sequential works with classic policies only; got LLM agents (fix: use schedule: synchronous, the default)');
  }
  const synthetic = game.options.map((o) => `{"choice": "${o}"}`);
  return { opts, n, world, entries, owner, modelAgents, isSeed, synthetic };
}

/** Everyone decides from the snapshot; committed and seeded agents are forced afterwards. */
async function decideSynchronous(L: Loop, ctx: DecideContext, out: Int8Array): Promise<void> {
  const pending: Promise<void>[] = [];
  const seeds = ctx.round === 1 && L.opts.roles.seedViolators.length > 0;
  const imposed = L.world.forced;
  for (const e of L.entries) {
    // Forced agents (seeded violators in round 1, agents an intervention fixed) make no model call.
    const who = e.policy.usesModel && (seeds || imposed) ? e.agents.filter((a) => !(seeds && L.isSeed[a]) && !(imposed && imposed[a] !== FREE)) : e.agents;
    const p = e.policy.decide(who, ctx, out);
    if (p) pending.push(p);
  }
  force(L, ctx.round, out);
  if (pending.length > 0) await Promise.all(pending);
}

/** Agents in a seeded random order, each seeing the choices already made this round. */
function decideSequential(L: Loop, ctx: DecideContext, out: Int8Array): void {
  const { n, world, opts } = L;
  force(L, ctx.round, out);
  const seen = Int8Array.from(ctx.prev.choice);
  const forced = new Uint8Array(n);
  for (const a of opts.roles.committed) (forced[a] = 1), (seen[a] = out[a]);
  if (ctx.round === 1) for (const a of opts.roles.seedViolators) (forced[a] = 1), (seen[a] = out[a]);
  if (world.forced) for (let i = 0; i < n; i++) if (world.forced[i] !== FREE) (forced[i] = 1), (seen[i] = out[i]);
  const order = rngStream(opts.seed, 'schedule', ctx.round);
  const agents = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(order() * (i + 1));
    [agents[i], agents[j]] = [agents[j], agents[i]];
  }
  const one = new Int32Array(1);
  const view: DecideContext = { ...ctx, prev: { choice: seen, payoff: ctx.prev.payoff } };
  for (const a of agents) {
    if (forced[a] || L.owner[a] < 0) continue;
    one[0] = a;
    void L.entries[L.owner[a]].policy.decide(one, view, out);
    seen[a] = out[a];
  }
}

/** Committed agents take option 0, seeded violators violate in round 1, interventions impose theirs. */
function force(L: Loop, round: number, out: Int8Array): void {
  const { roles } = L.opts;
  for (const a of roles.committed) out[a] = 0;
  if (round === 1) for (const a of roles.seedViolators) out[a] = L.opts.game.violation;
  const imposed = L.world.forced;
  if (imposed) for (let i = 0; i < L.n; i++) if (imposed[i] !== FREE) out[i] = imposed[i];
}

/** Continuous games: agents with a class but no amount (classic policies, forced agents) take the game's amount for it. */
function fillAmounts(L: Loop, round: number, amounts: Float64Array, choice: Int8Array): void {
  const { world, isSeed } = L;
  const forcedNow = (a: number) => (round === 1 && isSeed[a]) || (world.forced !== null && world.forced[a] !== FREE);
  for (const a of L.opts.roles.committed) amounts[a] = NaN;
  for (let i = 0; i < L.n; i++) {
    if (forcedNow(i)) amounts[i] = NaN;
    if (Number.isNaN(amounts[i]) && choice[i] !== INVALID) amounts[i] = L.opts.game.continuous!.amountFor(choice[i], round, world, i);
  }
}

/** This round's model replies by agent (undefined: no call), for games that read answers from them. */
function modelReplies(L: Loop): Array<string | undefined> {
  const replies: Array<string | undefined> = new Array(L.n);
  for (const e of L.entries) (e.policy.fillAnswers ?? e.policy.fillReplies)?.call(e.policy, replies);
  return replies;
}

/** Model agents remember the round (peers' replies: their own, synthesised for everyone else). */
function remember(L: Loop, now: RoundArrays, outcome: unknown): void {
  const remembering = L.entries.filter((e) => e.policy.remember);
  if (remembering.length === 0) return;
  const { choice } = now;
  const replies: Array<string | undefined> = new Array(L.n);
  for (let i = 0; i < L.n; i++) replies[i] = choice[i] === INVALID ? '' : L.synthetic[choice[i]];
  for (const e of L.entries) e.policy.fillReplies?.(replies);
  const view = { round: now.round, choices: choice, replies, payoff: now.payoff, capital: L.world.capital, outcome };
  for (const e of remembering) e.policy.remember!(view);
}

/** The round's record, and how many of its choices are INVALID. */
function roundRecord(L: Loop, now: RoundArrays, outcome: unknown, changes: Record<string, unknown> | undefined): [RoundRecord, number] {
  const { n, isSeed } = L;
  const { choice } = now;
  const capital = L.world.capital;
  const [violations, invalid, capitalSum, seededViolating] = tallyRound(choice, isSeed, capital, L.opts.game.violation);
  const facts: RoundFacts = {
    round: now.round, n, choices: choice, capital, payoff: now.payoff, violations, invalid, capitalSum,
    seeds: L.opts.roles.seedViolators.length, seededViolating, game: L.opts.game, outcome,
    usage: L.modelAgents.length > 0 ? modelUsage(L) : undefined, changes,
  };
  const rec: Record<string, unknown> = { round: now.round };
  for (const [name, reporter] of L.opts.reporters) {
    const v = reporter(facts);
    if (v !== undefined) rec[name] = v;
  }
  return [rec as unknown as RoundRecord, invalid];
}

/**
 * Violations, invalid choices, the capital's sum and the seeded violators still violating, in one
 * pass. Its own function, not inline in roundRecord: a loop over n agents in a function called
 * once per round is compiled on the stack (OSR) before the reporters after it have run, and that
 * code left the optimised version in every round (`node --trace-deopt`).
 */
function tallyRound(choice: Int8Array, isSeed: Uint8Array, capital: Float64Array, vIdx: number): [number, number, number, number] {
  let violations = 0;
  let invalid = 0;
  let capitalSum = 0;
  let seededViolating = 0;
  for (let i = 0; i < choice.length; i++) {
    if (choice[i] === vIdx) {
      violations++;
      seededViolating += isSeed[i];
    } else if (choice[i] === INVALID) invalid++;
    capitalSum += capital[i];
  }
  return [violations, invalid, capitalSum, seededViolating];
}

/** Model use of the round, summed over policies (and split by model when there are several). */
function modelUsage(L: Loop): LlmRoundUsage {
  const zero = () => ({ calls: 0, repairs: 0, failed: 0, tokensIn: 0, tokensOut: 0, parseDisagreements: 0 });
  const sum = zero();
  const byModel: Record<string, ReturnType<typeof zero>> = {};
  for (const e of L.entries) {
    const u = e.policy.usage?.();
    if (!u) continue;
    const own = (byModel[e.policy.modelId ?? ''] ??= zero());
    for (const k of Object.keys(sum) as Array<keyof typeof sum>) (sum[k] += u[k] ?? 0), (own[k] += u[k] ?? 0);
  }
  return Object.keys(byModel).length > 1 ? { ...sum, byModel } : sum;
}

function decisionRecords(L: Loop, now: RoundArrays, outcome: unknown): DecisionRecord[] {
  const out: DecisionRecord[] = [];
  if (L.opts.record === 'llm') {
    // Model agents are sorted ascending: the same records without a lookup for every agent
    // (only decisions a model made: seeded violators make no call in round 1).
    for (const i of L.modelAgents) {
      const d = baseRecord(L, i, now, outcome);
      if (L.entries[L.owner[i]].policy.record!(i, d)) out.push(d);
    }
  } else {
    for (let i = 0; i < L.n; i++) {
      const d = baseRecord(L, i, now, outcome);
      if (L.owner[i] >= 0) L.entries[L.owner[i]].policy.record?.(i, d);
      out.push(d);
    }
  }
  return out;
}

function baseRecord(L: Loop, i: number, now: RoundArrays, outcome: unknown): MutableDecision {
  const { game, roles, label } = L.opts;
  const c = now.choice[i];
  // Built field by field, in the order records are written (no spread copies per decision).
  const d: MutableDecision = {
    round: now.round,
    agent: i,
    node: L.world.csr.keys[i],
    policy: now.round === 1 && L.isSeed[i] ? 'seed' : roles.policyName(i),
    choice: c === INVALID ? null : game.options[c],
    shownChoice: label(c),
    valid: c !== INVALID,
    violated: c === game.violation,
    payoff: now.payoff[i],
    capital: L.world.capital[i],
  };
  game.describe?.(i, outcome, d);
  return d;
}

function policyFor(policies: ReadonlyMap<string, Policy>, key: string): Policy {
  const p = policies.get(key);
  if (!p) throw new AtpSimError('INVALID_ARGUMENT', `runRounds: no policy for the group "${key}" (fix: pass one policy per key of roles.byPolicy)`);
  return p;
}
