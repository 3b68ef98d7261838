/**
 * The engine: a synchronous, discrete-time scheduler stepping a population placed on a graph.
 *
 * One round: (1) every agent decides from the snapshot of the previous round (nobody sees a
 * decision made in the same round); model calls fan out concurrently and are keyed by agent,
 * so completion order never changes results; (2) the scenario's payoff rule pays everyone;
 * (3) LLM agents remember the round in their bounded history; (4) the round is committed to
 * the sink. The engine knows nothing about files: the caller's sink writes them.
 */
import type { ChatMessage, CompletionResult, Csr, DecisionRecord, LanguageModel, RoundRecord, TokenUsage } from './types.ts';
import { AtpSimError } from './errors.ts';
import { deriveSeed, rngStream } from './rng.ts';
import type { PolicySpec, Scenario, SupervisionGame, ThresholdGame } from '../scenarios/types.ts';
import { violationIndex } from '../scenarios/types.ts';
import { INVALID, isSupervised, paySupervision, payThreshold, type ThresholdOutcome } from '../scenarios/payoff.ts';
import { agentThresholds, decideFermi, decideImitateBest, decideThreshold } from '../agents/classic.ts';
import { splitReasoning } from '../agents/parse-choice.ts';
import { readBoth } from '../agents/read-choice.ts';
import type { PromptStyle, StyleContext } from '../agents/prompts/style.ts';
import { createStyle, labelFor } from '../agents/prompts/index.ts';
import { assignRoles, type Roles } from './roles.ts';
import { capitalFields, meanOf } from '../metrics/stats.ts';

export interface RunSink {
  /** Called once per completed round, in order. `decisions` is null when not recorded. */
  round(record: RoundRecord, decisions: readonly DecisionRecord[] | null): Promise<void> | void;
}

export interface EngineOptions {
  readonly scenario: Scenario;
  readonly csr: Csr;
  /** Needed when some agent uses the `llm` policy. */
  readonly model?: LanguageModel | null;
  readonly sink: RunSink;
  /** Which decisions to record: all agents, LLM agents only, or none (rounds are always recorded). */
  readonly record?: 'all' | 'llm' | 'none';
  /** Rounds before this one are re-simulated (for resume) but not sent to the sink. */
  readonly skipSinkBefore?: number;
  /** Checked after each round; a reason stops the run cleanly. */
  readonly shouldStop?: () => string | null;
  /** Cancels model calls in flight; the round in flight is abandoned (the engine throws). */
  readonly signal?: AbortSignal;
  readonly onRound?: (record: RoundRecord) => void;
  /** Called as each LLM decision (with its repair call) finishes: progress within a round. */
  readonly onDecision?: (progress: DecisionProgress) => void;
  /** Called after each round with its choices (a view reused by the engine: copy what you keep). */
  readonly onChoices?: (round: number, choices: Int8Array) => void;
}

export interface DecisionProgress {
  readonly round: number;
  /** Decisions finished this round (in completion order) out of `total` model-made ones. */
  readonly done: number;
  readonly total: number;
  /** Tokens of the finished decision's calls (reply and repair). */
  readonly tokensIn: number;
  readonly tokensOut: number;
}

export interface EngineResult {
  readonly roundsCompleted: number;
  readonly stoppedBecause: string | null;
  readonly finalChoices: Int8Array;
  readonly finalCapital: Float64Array;
  readonly roles: Roles;
}

/** LLM calls started before the engine yields to the event loop once. */
const LAUNCH_CHUNK = 64;
/** LLM calls in flight or queued at once, at least (and 8x the model's concurrency). */
const MIN_LANES = 4096;

const REPAIR_PROMPT = 'Your previous answer could not be read. Reply with only the JSON object for your final decision: {"choice": "<one of the options>"}';

interface LlmOutcome {
  choice: number;
  /** The model's raw text (recorded; replays answer with it). */
  reply: string | undefined;
  /** What the agent's history and its peers see (reasoning removed unless kept). */
  shown: string | undefined;
  messages: ChatMessage[];
  reasoning?: string;
  error?: string;
  usage?: TokenUsage;
  repairReply?: string;
  repairUsage?: TokenUsage;
  /** The repair call failed after all retries (its error). */
  repairFailed?: string;
  /** Reasoning the server returned separately (`reasoning_content`), kept apart for replays. */
  serverReasoning?: string;
  failed: boolean;
  seed: number;
  finishReason?: string;
  /** Replies (first and repair) that the `atp` and `final` parsings read differently. */
  disagreements?: number;
}

export async function runEngine(opts: EngineOptions): Promise<EngineResult> {
  const { scenario, csr, sink } = opts;
  const n = csr.n;
  if (scenario.population.size !== n) {
    throw new AtpSimError('INVALID_SCENARIO', `population.size is ${scenario.population.size} but the network has ${n} nodes (fix: make them equal or leave population.size out)`);
  }
  const game = scenario.game;
  const vIdx = violationIndex(game);
  const roles = assignRoles(scenario, csr);
  const llmAgents = roles.byPolicy.get('llm') ?? new Int32Array(0);
  if (llmAgents.length > 0 && !opts.model) {
    throw new AtpSimError('INVALID_ARGUMENT', 'this scenario has LLM agents but no model was given (fix: pass --model, or set model.name in the scenario)');
  }
  const rounds = scenario.rounds;
  const supervisedAt = (round: number, agent: number) =>
    game.kind === 'supervision-dilemma' ? isSupervised(game, round - 1, rounds, agent, scenario.seed) : false;
  const styleCtx: StyleContext = { scenario, csr, llmAgents, supervisedAt };
  const style: PromptStyle | null = llmAgents.length > 0 ? createStyle(styleCtx) : null;
  const needReplies = style !== null;
  const label = labelFor(scenario);
  const record = opts.record ?? 'all';
  const isSeed = new Uint8Array(n);
  for (const a of roles.seedViolators) isSeed[a] = 1;

  let prevChoice = new Int8Array(n).fill(INVALID);
  let prevPayoff = new Float64Array(n);
  const capital = new Float64Array(n).fill(game.startCapital);
  let choice = new Int8Array(n);
  let payoff = new Float64Array(n);
  const initial = scenario.population.initialChoice === 'violate' ? vIdx : 1 - vIdx;
  const syntheticReply = game.options.map((o) => `{"choice": "${o}"}`);
  let stoppedBecause: string | null = null;
  let completed = 0;

  for (let round = 1; round <= rounds; round++) {
    opts.signal?.throwIfAborted();
    // 1. decide
    const policyRng = rngStream(scenario.seed, 'policy', round);
    const prev = { choice: prevChoice, payoff: prevPayoff };
    for (const [key, agents] of roles.byPolicy) {
      const spec = roles.specs.get(key)!;
      if (spec.kind === 'llm') continue;
      if (round === 1 && spec.kind !== 'fixed') {
        for (const a of agents) choice[a] = initial;
        continue;
      }
      decideClassic(spec, agents, csr, prev, policyRng, vIdx, game.options, choice, scenario.seed);
    }
    for (const a of roles.committed) choice[a] = 0;
    if (round === 1) for (const a of roles.seedViolators) choice[a] = vIdx;

    const llmResults = new Map<number, LlmOutcome>();
    // Seeded violators are forced in round 1: those on LLM agents make no call that round.
    const callers = round === 1 && roles.seedViolators.length > 0 ? llmAgents.filter((a) => !isSeed[a]) : llmAgents;
    if (callers.length > 0) {
      const results = await decideAllLlm(callers, round);
      results.forEach((r, k) => {
        llmResults.set(callers[k], r);
        choice[callers[k]] = r.choice;
      });
      const failed = results.filter((r) => r.failed).length;
      if (failed > 0 && failed / results.length > scenario.limits.maxFailureRate) {
        const first = results.find((r) => r.failed)!;
        throw new AtpSimError(
          'FAILURE_RATE_EXCEEDED',
          `round ${round}: ${failed} of ${results.length} model calls failed after retries (limit ${scenario.limits.maxFailureRate * 100}%); first error: ${first.error}. ` +
            `Rounds 1..${round - 1} are saved; fix the model server and continue with --resume.`,
        );
      }
    }

    // 2. pay
    let threshold: ThresholdOutcome | null = null;
    let supervised: Uint8Array | null = null;
    if (game.kind === 'threshold-game') {
      threshold = payThreshold(game as ThresholdGame, choice, capital, payoff, csr);
    } else {
      supervised = new Uint8Array(n);
      for (let i = 0; i < n; i++) supervised[i] = supervisedAt(round, i) ? 1 : 0;
      paySupervision(game as SupervisionGame, choice, supervised, capital, payoff);
    }

    // 3. remember
    let replies: Array<string | undefined> = [];
    if (needReplies) {
      replies = new Array(n);
      for (let i = 0; i < n; i++) {
        const r = llmResults.get(i);
        replies[i] = r ? r.shown : choice[i] === INVALID ? '' : syntheticReply[choice[i]];
      }
      style!.remember({ round, choices: choice, replies, payoff, capital, threshold, supervised });
    }

    // 4. commit
    let violations = 0;
    let invalid = 0;
    let capSum = 0;
    let seededViolating = 0;
    for (let i = 0; i < n; i++) {
      if (choice[i] === vIdx) {
        violations++;
        seededViolating += isSeed[i];
      } else if (choice[i] === INVALID) invalid++;
      capSum += capital[i];
    }
    const seeds = roles.seedViolators.length;
    let success: boolean | number | null = null;
    if (threshold) {
      if (threshold.globalSuccess !== null) success = threshold.globalSuccess;
      else {
        let s = 0;
        for (let i = 0; i < n; i++) s += threshold.success[i];
        success = s / n;
      }
    }
    let llm: RoundRecord['llm'];
    if (llmAgents.length > 0) {
      let calls = 0, repairs = 0, failed = 0, tokensIn = 0, tokensOut = 0, parseDisagreements = 0;
      for (const r of llmResults.values()) {
        calls++;
        if (r.failed) failed++;
        if (r.repairReply !== undefined) (calls++, repairs++);
        if (r.repairFailed !== undefined) (calls++, repairs++, failed++);
        for (const u of [r.usage, r.repairUsage]) if (u) (tokensIn += u.promptTokens, tokensOut += u.completionTokens);
        parseDisagreements += r.disagreements ?? 0;
      }
      llm = { calls, repairs, failed, tokensIn, tokensOut, parseDisagreements };
    }
    const rec: RoundRecord = {
      round,
      decisions: n,
      violations,
      violationRate: violations / n,
      invalid,
      success,
      meanCapital: meanOf(capital, capSum),
      ...capitalFields(capital, 100_000),
      collective: threshold ? threshold.collectiveCount : 0,
      ...(seeds > 0 && n > seeds ? { cascade: (violations - seededViolating) / (n - seeds) } : {}),
      ...(llm ? { llm } : {}),
    };
    if (opts.skipSinkBefore === undefined || round >= opts.skipSinkBefore) {
      let decisions: DecisionRecord[] | null = null;
      if (record !== 'none') {
        decisions = [];
        if (record === 'llm') {
          // LLM agents are sorted ascending: the same records without a lookup for every agent
          // (only decisions a model made: seeded violators make no call in round 1).
          for (const i of llmAgents) {
            const r = llmResults.get(i);
            if (r) decisions.push(decisionRecord(i, round, r, threshold, supervised));
          }
        } else {
          for (let i = 0; i < n; i++) decisions.push(decisionRecord(i, round, llmResults.get(i), threshold, supervised));
        }
      }
      await sink.round(rec, decisions);
      opts.onRound?.(rec);
    }
    completed = round;
    opts.onChoices?.(round, choice);

    // advance the snapshot
    const tc = prevChoice;
    prevChoice = choice;
    choice = tc;
    const tp = prevPayoff;
    prevPayoff = payoff;
    payoff = tp;
    // Re-simulated rounds (resume) never stop the run: only rounds run now count.
    const reason = round >= (opts.skipSinkBefore ?? 0) ? (opts.shouldStop?.() ?? null) : null;
    if (reason && round < rounds) {
      stoppedBecause = reason;
      break;
    }
  }

  return { roundsCompleted: completed, stoppedBecause, finalChoices: prevChoice, finalCapital: capital, roles };

  // --- helpers (closures over the run) ---

  /**
   * Every LLM agent's call, started in agent order by at most `lanes` workers: a worker takes the
   * next agent when its call ends, so the model's queue (and the prompts held for it) stays
   * bounded however many agents there are (a limiter queueing 10^5 calls gets slow). Building a
   * prompt is synchronous work: the event loop gets a turn every LAUNCH_CHUNK workers started, so
   * the first requests leave while later prompts are still being built.
   */
  async function decideAllLlm(callers: Int32Array, round: number): Promise<LlmOutcome[]> {
    const count = callers.length;
    const results: LlmOutcome[] = new Array(count);
    let next = 0;
    let finished = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < count && !failed) {
        const k = next++;
        try {
          const r = (results[k] = await decideLlm(callers[k], round));
          const [u, v] = [r.usage, r.repairUsage];
          opts.onDecision?.({ round, done: ++finished, total: count, tokensIn: (u?.promptTokens ?? 0) + (v?.promptTokens ?? 0), tokensOut: (u?.completionTokens ?? 0) + (v?.completionTokens ?? 0) });
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    const lanes = Math.min(count, Math.max(MIN_LANES, 8 * scenario.model.concurrency));
    const workers: Promise<void>[] = [];
    for (let w = 0; w < lanes && !failed; w++) {
      const p = worker();
      p.catch(() => {}); // observed by Promise.all below; this keeps an early failure handled
      workers.push(p);
      if ((w + 1) % LAUNCH_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(workers);
    return results;
  }

  function decisionRecord(
    i: number,
    round: number,
    r: LlmOutcome | undefined,
    threshold: ThresholdOutcome | null,
    supervised: Uint8Array | null,
  ): DecisionRecord {
    const c = choice[i];
    // Built field by field, in the order records are written (no spread copies per decision).
    const d: { -readonly [K in keyof DecisionRecord]: DecisionRecord[K] } = {
      round,
      agent: i,
      node: csr.keys[i],
      policy: round === 1 && isSeed[i] ? 'seed' : roles.policyName(i),
      choice: c === INVALID ? null : game.options[c],
      shownChoice: label(c),
      valid: c !== INVALID,
      violated: c === vIdx,
      payoff: payoff[i],
      capital: capital[i],
    };
    if (threshold && threshold.globalSuccess === null) d.groupSuccess = threshold.success[i] === 1;
    if (supervised) d.supervised = supervised[i] === 1;
    if (!r) return d;
    d.messages = r.messages;
    d.reply = r.reply;
    if (r.reasoning !== undefined) d.reasoning = r.reasoning;
    if (r.error !== undefined) d.error = r.error;
    if (r.repairReply !== undefined || r.repairFailed !== undefined) {
      if (r.repairReply !== undefined) d.repairReply = r.repairReply;
      if (r.repairFailed !== undefined) d.repairFailed = r.repairFailed;
      if (r.repairUsage) d.repairUsage = r.repairUsage;
      d.repairPrompt = REPAIR_PROMPT;
    }
    if (r.serverReasoning !== undefined) d.serverReasoning = r.serverReasoning;
    if (r.failed) d.callFailed = true;
    if (r.finishReason !== undefined) d.finishReason = r.finishReason;
    d.seed = r.seed;
    if (r.usage) d.usage = r.usage;
    return d;
  }

  async function decideLlm(agent: number, round: number): Promise<LlmOutcome> {
    const messages = style!.messages(agent, round);
    const seed = deriveSeed(scenario.seed, 'llm', round, agent);
    // Both readings of every reply: the scenario's decides, a difference is counted.
    let disagreements = 0;
    const parse = (text: string) => {
      const both = readBoth(text, game);
      if (both.atp !== both.final) disagreements++;
      return both[scenario.prompt.parse];
    };
    const call = (msgs: ChatMessage[], attempt: number) =>
      opts.model!.complete({
        messages: msgs,
        temperature: scenario.model.temperature,
        maxTokens: scenario.model.maxTokens,
        seed,
        options: game.options,
        ...(scenario.prompt.structuredOutput ? { jsonSchema: choiceSchema(game.options) } : {}),
        ...(scenario.model.extra ? { extra: scenario.model.extra } : {}),
        origin: { round, agent, attempt },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    let result: CompletionResult;
    try {
      result = await call(messages, 0);
    } catch (err) {
      // A cancelled call is not a failed decision: the round is abandoned, not recorded.
      opts.signal?.throwIfAborted();
      if (err instanceof AtpSimError && err.code === 'MODEL_CALL_FAILED') {
        const reason = err.message.split('\n')[0];
        const text = `Error: ${reason}`;
        return { choice: INVALID, reply: text, shown: text, messages, error: reason, failed: true, seed };
      }
      throw err;
    }
    const out: LlmOutcome = {
      choice: INVALID,
      reply: result.text,
      shown: result.text,
      messages,
      failed: false,
      seed,
      ...(result.usage ? { usage: result.usage } : {}),
      ...(result.finishReason ? { finishReason: result.finishReason } : {}),
    };
    const { answer, reasoning } = splitReasoning(result.text);
    const separate = result.reasoning;
    if (separate !== undefined) out.serverReasoning = separate;
    if (separate !== undefined || reasoning !== undefined) out.reasoning = [separate, reasoning].filter((x) => x !== undefined).join('\n');
    if (!scenario.prompt.keepReasoning) out.shown = answer;
    if (result.finishReason === 'length') {
      out.error = 'reply cut off by the token limit (finish_reason: length)';
    } else {
      out.choice = parse(result.text);
    }
    if (out.choice === INVALID && scenario.prompt.repair && result.finishReason !== 'length') {
      const retry = [...messages, { role: 'assistant' as const, content: result.text }, { role: 'user' as const, content: REPAIR_PROMPT }];
      try {
        const second = await call(retry, 1);
        out.repairReply = second.text;
        if (second.usage) out.repairUsage = second.usage;
        if (second.finishReason !== 'length') out.choice = parse(second.text);
        if (out.choice !== INVALID) out.error = undefined;
      } catch (err) {
        opts.signal?.throwIfAborted();
        if (!(err instanceof AtpSimError && err.code === 'MODEL_CALL_FAILED')) throw err;
        out.repairFailed = err.message.split('\n')[0];
        out.error = `repair call failed: ${out.repairFailed}`;
      }
    }
    if (out.choice === INVALID && out.error === undefined) out.error = 'no choice could be read from the reply';
    if (disagreements > 0) out.disagreements = disagreements;
    return out;
  }
}

export function choiceSchema(options: readonly string[]): { name: string; schema: Record<string, unknown> } {
  return {
    name: 'decision',
    schema: { type: 'object', properties: { choice: { type: 'string', enum: [...options] } }, required: ['choice'], additionalProperties: false },
  };
}

function decideClassic(
  spec: PolicySpec,
  agents: Int32Array,
  csr: Csr,
  prev: { choice: Int8Array; payoff: Float64Array },
  rng: () => number,
  vIdx: number,
  options: readonly string[],
  out: Int8Array,
  seed: number,
): void {
  switch (spec.kind) {
    case 'fixed': {
      const o = spec.option.toLowerCase();
      const c = o === 'violate' ? vIdx : o === 'comply' ? 1 - vIdx : options.findIndex((x) => x.toLowerCase() === o);
      for (const a of agents) out[a] = c;
      return;
    }
    case 'imitate-best':
      return decideImitateBest(agents, csr, prev, out);
    case 'fermi':
      return decideFermi(agents, csr, prev, spec.K, rng, out);
    case 'threshold':
      return decideThreshold(agents, csr, prev, agentThresholds(spec, csr.n, seed), spec.progressive, vIdx, out);
    default:
      throw new Error(`unexpected policy ${spec.kind}`);
  }
}
