/**
 * Settings that are valid but probably not what the author meant: rewards that invert the dilemma
 * or drive capital below zero, a start capital of 0 that multiplication never leaves, and rounds
 * long enough for capital to overflow (past 1.8e308 it becomes Infinity, then NaN: the mean turns
 * null and the rest of the run means nothing). They are warned about, naming the field, never
 * refused: a researcher may want an inverted game as a control.
 */
import type { Scenario, SupervisionGame, ThresholdGame } from './types.ts';

const fmt = (x: number) => String(Number(x.toPrecision(6)));

/** The first round after which |capital| can exceed Number.MAX_VALUE, or null within `rounds`. */
export function overflowRound(start: number, rounds: number, step: { factor: number } | { delta: number }): number | null {
  const c0 = Math.abs(start);
  let r: number;
  if ('factor' in step) {
    const m = Math.abs(step.factor);
    if (m <= 1 || c0 === 0) return null;
    r = Math.floor((Math.log(Number.MAX_VALUE) - Math.log(c0)) / Math.log(m)) + 1;
  } else {
    const d = Math.abs(step.delta);
    if (d === 0) return null;
    r = Math.floor((Number.MAX_VALUE - c0) / d) + 1;
  }
  return r <= rounds ? Math.max(1, r) : null;
}

function thresholdWarnings(g: ThresholdGame, rounds: number): string[] {
  const out: string[] = [];
  const { high, normal, low } = g.rewards;
  const factors = [['high', high], ['normal', normal], ['low', low]] as const;
  if (high <= normal) {
    out.push(`game.rewards.high (${fmt(high)}) is not above game.rewards.normal (${fmt(normal)}): success pays no more than the independent option, so the game has no pull towards the collective option (usual: high > normal > low, the paper's 1.2 / 1.0 / 0.8)`);
  }
  if (low > normal) {
    out.push(`game.rewards.low (${fmt(low)}) is above game.rewards.normal (${fmt(normal)}): the collective option pays more even when the group fails, so there is no risk to weigh (usual: low < normal)`);
  }
  if (g.rewardMode === 'multiplicative') {
    if (g.startCapital === 0) out.push('game.startCapital is 0: multiplicative rewards leave every capital at 0, so all choices pay the same (fix: start at 1.0 like the paper, or use rewardMode: additive)');
    else if (g.startCapital < 0) out.push(`game.startCapital (${fmt(g.startCapital)}) is negative: multiplicative rewards then punish the factors above 1`);
    for (const [name, f] of factors) {
      if (f < 0) out.push(`game.rewards.${name} (${fmt(f)}) is negative: it multiplies capital and drives it below zero (fix: a factor between 0 and 1 loses capital without changing its sign)`);
    }
    const [name, f] = [...factors].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))[0];
    const r = overflowRound(g.startCapital, rounds, { factor: f });
    if (r !== null) out.push(overflowText(`game.rewards.${name} ${fmt(f)}`, g.startCapital, r, rounds));
  } else {
    for (const [name, f] of factors) {
      const end = g.startCapital + rounds * (f - 1) * g.additiveBase;
      if (f < 1 && end < 0 && g.startCapital >= 0) {
        out.push(`game.rewards.${name} (${fmt(f)}) drives capital below zero: each such round adds (${fmt(f)} - 1) x ${fmt(g.additiveBase)}, ${fmt(end)} after ${rounds} rounds from game.startCapital ${fmt(g.startCapital)}`);
      }
    }
    const [name, f] = [...factors].sort((a, b) => Math.abs(b[1] - 1) - Math.abs(a[1] - 1))[0];
    const r = overflowRound(g.startCapital, rounds, { delta: (f - 1) * g.additiveBase });
    if (r !== null) out.push(overflowText(`game.rewards.${name} ${fmt(f)} (additive)`, g.startCapital, r, rounds));
  }
  return out;
}

function dilemmaWarnings(g: SupervisionGame, rounds: number): string[] {
  const out: string[] = [];
  const { compliant, violating } = g.rewards;
  if (violating <= compliant) {
    out.push(`game.rewards.violating (${fmt(violating)}) is not above game.rewards.compliant (${fmt(compliant)}): violating does not pay, so there is no dilemma (usual: violating > compliant)`);
  }
  for (const [name, r] of [['compliant', compliant], ['violating', violating]] as const) {
    if (r < 0) out.push(`game.rewards.${name} (${fmt(r)}) is negative: choosing it drives capital below zero`);
  }
  const big = Math.abs(compliant) > Math.abs(violating) ? (['compliant', compliant] as const) : (['violating', violating] as const);
  const r = overflowRound(g.startCapital, rounds, { delta: big[1] });
  if (r !== null) out.push(overflowText(`game.rewards.${big[0]} ${fmt(big[1])}`, g.startCapital, r, rounds));
  return out;
}

function overflowText(what: string, start: number, round: number, rounds: number): string {
  return `capital can overflow: with ${what} a start capital of ${fmt(start)} can pass 1.8e308 (then Infinity, and the means turn null) from round ${round} of ${rounds} (fix: fewer rounds or a factor closer to 1; rounds.jsonl counts non-finite capitals per round as nonFinite)`;
}

/** Warnings for a resolved scenario (empty when everything looks sensible). */
export function scenarioWarnings(s: Scenario): string[] {
  if (s.game.kind === 'threshold-game') return thresholdWarnings(s.game, s.rounds);
  return s.game.kind === 'supervision-dilemma' ? dilemmaWarnings(s.game, s.rounds) : [];
}
