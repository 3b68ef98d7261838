/**
 * The `llm` policy: each agent asks a model, from the prompt style's view of what it remembers,
 * and parses the reply (one repair prompt, then the reply is recorded as invalid). A round where
 * more than `limits.maxFailureRate` of the calls fail aborts the run (completed rounds are kept).
 */
import { AtpSimError } from '../../core/errors.ts';
import type { LlmRoundUsage } from '../../core/types.ts';
import type { PromptStyle } from '../../games/style.ts';
import type { PolicySpec } from '../../core/scenario.ts';
import { createStyle } from '../../prompts/index.ts';
import type { PolicyFactory } from '../policy.ts';
import { decideAllLlm, recordCall, type LlmCaller, type LlmOutcome } from './calls.ts';
import { replyReader } from './parsing.ts';

export const llm: PolicyFactory = (spec, setup) => {
  const { scenario, csr, agents } = setup;
  const own: Extract<PolicySpec, { kind: 'llm' }> = spec.kind === 'llm' ? spec : { kind: 'llm' };
  const model = own.model ? setup.modelFor?.(own.model) : setup.model;
  if (!model) {
    throw new AtpSimError('INVALID_ARGUMENT', 'this scenario has LLM agents but no model was given (fix: pass --model, or set model.name in the scenario)');
  }
  // The style reads the graph of the current round from here (interventions may rewire it).
  const styleCtx = { scenario, csr, llmAgents: agents };
  const style = withVariant(createStyle(styleCtx), [own.persona, own.rule]);
  const caller: LlmCaller = {
    scenario,
    style,
    model,
    reader: replyReader(scenario),
    notes: [],
    ...(setup.signal ? { signal: setup.signal } : {}),
    ...(setup.onDecision ? { onDecision: setup.onDecision } : {}),
    ...(setup.promptMeter ? { meter: setup.promptMeter } : {}),
  };
  let results = new Map<number, LlmOutcome>();
  return {
    usesModel: true,
    modelId: model.id,
    async decide(callers, ctx, out) {
      results = new Map();
      styleCtx.csr = ctx.world.csr;
      caller.notes = ctx.world.notes.slice();
      if (callers.length === 0) return;
      const round = ctx.round;
      const done = await decideAllLlm(caller, callers, round);
      done.forEach((r, k) => {
        results.set(callers[k], r);
        out[callers[k]] = r.choice;
        if (ctx.amounts && r.amount !== undefined) ctx.amounts[callers[k]] = r.amount;
      });
      // Too-long prompts are failed decisions but not server failures (prompt-guard.ts).
      // The rate is over the other calls too: counting refused prompts in the denominator let a
      // server that failed every call it answered pass the limit when enough prompts were long.
      const failed = done.filter((r) => r.failed && !r.tooLong).length;
      const asked = done.filter((r) => !r.tooLong).length;
      if (failed > 0 && failed / asked > scenario.limits.maxFailureRate) {
        const first = done.find((r) => r.failed && !r.tooLong)!;
        throw new AtpSimError(
          'FAILURE_RATE_EXCEEDED',
          `round ${round}: ${failed} of ${asked} model calls failed after retries (limit ${scenario.limits.maxFailureRate * 100}%); first error: ${first.error}. ` +
            `Rounds 1..${round - 1} are saved; fix the model server and continue with --resume.`,
        );
      }
    },
    fillReplies(replies) {
      for (const [a, r] of results) replies[a] = r.shown;
    },
    // A reply read only after the repair prompt carries its answer in the repair reply: a game
    // given the first reply alone found no answer there and paid a right answer as none.
    fillAnswers(replies) {
      for (const [a, r] of results) replies[a] = r.repairReply === undefined ? r.shown : `${r.shown ?? ''}\n${r.repairReply}`;
    },
    remember: (view) => style.remember(view),
    record(agent, d) {
      const r = results.get(agent);
      if (!r) return false;
      recordCall(d, r, caller.reader.repairPrompt);
      if (own.model) d.model = model.id;
      return true;
    },
    usage(): LlmRoundUsage {
      let calls = 0, repairs = 0, failed = 0, tokensIn = 0, tokensOut = 0, parseDisagreements = 0;
      for (const r of results.values()) {
        calls++;
        if (r.failed) failed++;
        if (r.repairReply !== undefined) (calls++, repairs++);
        if (r.repairFailed !== undefined) (calls++, repairs++, failed++);
        for (const u of [r.usage, r.repairUsage]) if (u) (tokensIn += u.promptTokens, tokensOut += u.completionTokens);
        parseDisagreements += r.disagreements ?? 0;
      }
      return { calls, repairs, failed, tokensIn, tokensOut, parseDisagreements };
    },
  };
};

/** A prompt variant: sentences (a persona, a rule) appended to the system prompt; none, no change. */
function withVariant(style: PromptStyle, sentences: ReadonlyArray<string | undefined>): PromptStyle {
  const extra = sentences.filter((x): x is string => !!x);
  if (extra.length === 0) return style;
  return {
    name: style.name,
    version: style.version,
    remember: (view) => style.remember(view),
    messages(agent, round) {
      const [first, ...rest] = style.messages(agent, round);
      return [{ role: first.role, content: `${first.content}\n\n${extra.join('\n\n')}` }, ...rest];
    },
  };
}
