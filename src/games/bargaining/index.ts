/**
 * Group bargaining (issue 12; the ATP paper's group-bargaining testbed, its imitative-diffusion
 * setting v2): hikers push a shared value up, pressers push it down. Every round each agent
 * proposes a value in [min, max]; a proposal that does not move the role's way is the violation
 * (evaluate.ts has the definitions). LLM agents answer `{"proposal": x}` and remember nothing of
 * earlier rounds: each prompt holds their role, the current value and the clipped feedback of the
 * last evaluation. Classic policies give a class: faithful proposes one step the role's way,
 * violating one step the other way (`imitate-direction` proposes amounts itself).
 */
import { AtpSimError } from '../../core/errors.ts';
import type { GameRules } from '../../core/plugins.ts';
import type { Scenario } from '../../core/scenario.ts';
import { pyInt } from '../pyfmt.ts';
import type { GameDefinition } from '../game.ts';
import { renderTemplate } from '../template.ts';
import { playRound, roundTo, type BargainingOutcome } from './evaluate.ts';
import { DEFAULT_TEXTS, parseBargaining, parseBargainingTexts } from './parse.ts';
import { assignDirections, hikersFor, HIKER, roleName } from './roles.ts';
import type { BargainingGame, BargainingTexts } from './types.ts';

/** The state of one run, shared by its rules (which move it) and its prompt texts (which show it). */
export interface BargainingState {
  /** The value agents are shown this round. */
  current: number;
  /** The last evaluation's clipped feedback (null before the first). */
  feedback: number | null;
  /** Each agent's direction: +1 hiker, -1 presser. */
  readonly directions: Int8Array;
  /** Last round's outcome (null before the first). */
  last: BargainingOutcome | null;
}

/** What a bargaining-aware policy reads from the run's rules (policies/imitate-direction.ts). */
export interface BargainingRules extends GameRules {
  readonly bargaining: { readonly state: BargainingState; readonly game: BargainingGame };
}

// rules() registers a run's state under its scenario object; the network texts, built later by
// the LLM policy from the same scenario, read it from here (nothing else links the two).
const STATES = new WeakMap<Scenario, BargainingState>();

/** Hikers among n agents: the count given, or the ratio's share. */
export function hikerCount(game: BargainingGame, n: number): number {
  const h = game.hikers ?? hikersFor(game.ratio ?? [1, 1], n);
  if (h > n) throw new AtpSimError('INVALID_SCENARIO', `game.hikers: must be at most the population size ${n}; got ${h} (fix: a number from 0 to ${n})`);
  return h;
}

/** A proposal one step from the current value (+1: up, -1: down, 0: unchanged), within the bounds. */
export function stepFrom(game: BargainingGame, current: number, direction: number): number {
  return Math.max(game.min, Math.min(game.max, current + direction * game.step));
}

const show = (x: number, d: number) => String(Number(x.toFixed(d)));
const pct = (x: number) => `${x > 0 ? '+' : ''}${Number((x * 100).toFixed(2))}%`;

export const bargaining: GameDefinition<BargainingGame> = {
  kind: 'bargaining',
  parse: parseBargaining,
  parseTexts: parseBargainingTexts,
  actionSpace: (g) => ({ kind: 'continuous', min: g.min, max: g.max, unit: g.unit, key: 'proposal' }),
  violationIndex: () => 1,
  rules(game, scenario, csr): BargainingRules {
    const directions = assignDirections(csr.n, hikerCount(game, csr.n), game.placement, scenario.seed, csr);
    // The start is rounded like every later value: agents are shown it rounded, and a start with more
    // decimals made violations and the first feedback count against a value nobody saw.
    const state: BargainingState = { current: roundTo(game.start, game.decimals), feedback: null, directions, last: null };
    STATES.set(scenario, state);
    return {
      options: game.options,
      violation: 1,
      startCapital: game.startCapital,
      metrics: ['valueShown', 'evaluated', 'feedback', 'meanProposal', 'hikerViolationRate', 'presserViolationRate'],
      continuous: {
        min: game.min,
        max: game.max,
        // Classic policies and forced agents: faithful = one step the role's way, violating = one step against it.
        amountFor: (choice, _round, _world, agent) => stepFrom(game, state.current, (choice === 0 ? 1 : -1) * directions[agent ?? 0]),
      },
      pay(_round, choices, world, payoff, amounts) {
        const o = playRound(game, state.current, directions, amounts!, choices, world.capital, payoff);
        state.last = o;
        state.current = o.evaluated;
        state.feedback = o.feedback;
        return o;
      },
      describe(agent, outcome, d) {
        const o = outcome as BargainingOutcome;
        const rec = d as Record<string, unknown>;
        rec.role = roleName(o.directions[agent]);
        rec.proposal = Number.isNaN(o.proposals[agent]) ? null : o.proposals[agent];
        rec.valueShown = o.current;
      },
      report(name, outcome) {
        const o = outcome as BargainingOutcome;
        if (name === 'valueShown') return o.current;
        if (name === 'evaluated' || name === 'feedback' || name === 'meanProposal' || name === 'hikerViolationRate' || name === 'presserViolationRate') return o[name];
        return undefined;
      },
      bargaining: { state, game },
    };
  },
  table: [
    { header: 'hikers violating', field: 'hikerViolationRate', percent: true },
    { header: 'pressers violating', field: 'presserViolationRate', percent: true },
    { header: 'value shown', field: 'valueShown' },
    { header: 'mean proposal', field: 'meanProposal' },
    { header: 'evaluated', field: 'evaluated' },
    { header: 'feedback', field: 'feedback', percent: true },
  ],
  vars: (g, s) => ({ n: pyInt(s.population.size), subject: g.subject, unit: g.unit, min: show(g.min, 6), max: show(g.max, 6) }),
  networkTexts(game, scenario, vars) {
    const t = (scenario.prompt.texts as BargainingTexts | undefined) ?? DEFAULT_TEXTS;
    const roles = { hiker: renderTemplate(t.hiker, vars), presser: renderTemplate(t.presser, vars) };
    const n = scenario.population.size;
    const state = () => STATES.get(scenario) ?? { current: roundTo(game.start, game.decimals), feedback: null, directions: assignDirections(n, hikerCount(game, n), game.placement, scenario.seed), last: null };
    return {
      system: renderTemplate(t.system, vars),
      roundText(_round, agent) {
        const s = state();
        const role = s.directions[agent] === HIKER ? roles.hiker : roles.presser;
        const feedback =
          s.feedback === null
            ? ' No evaluation has happened yet.'
            : ` The last evaluation moved it by ${pct(s.feedback)} of the range from ${vars.min} to ${vars.max} (this signal is capped at ±${pct(game.clip).slice(1)}).`;
        return `${role} The current value is ${show(s.current, game.decimals)} ${game.unit}.${feedback}`;
      },
      outcomeLine: () => '',
      format: `Finish with a JSON object giving your proposal: {"proposal": <a number from ${vars.min} to ${vars.max}>}.`,
      memory: false,
    };
  },
};
