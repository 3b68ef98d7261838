/**
 * The commons (src/games/commons): a shared stock with logistic regrowth and continuous
 * extraction, checked by hand, then played by classic policies and by LLM agents.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harvest, regrow, sustainableTotal } from '../../src/games/commons/dynamics.ts';
import type { CommonsGame } from '../../src/games/commons/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { runScenario } from '../../src/run.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord } from '../../src/core/types.ts';
import { tempDir } from '../helpers/paths.ts';

const game: CommonsGame = { kind: 'commons', options: ['within', 'over'], capacity: 100, startStock: 50, growth: 1, collapseBelow: 1e-6, startCapital: 0, unit: 'tons of fish' };

const scenario = (over: Record<string, unknown> = {}) => ({
  name: 'fishery',
  kind: 'commons',
  rounds: 4,
  population: { size: 4, policy: { kind: 'fixed', option: 'comply' } },
  network: { kind: 'complete' },
  game: { capacity: 100, startStock: 50, growth: 1, unit: 'tons of fish', options: { within: 'within', over: 'over' } },
  ...over,
});

describe('the commons', () => {
  it('regrows logistically and finds the harvest that keeps the stock level, by hand', () => {
    // x + x (1 - x/100) = 50  =>  x = 50 (2 - sqrt 2) = 29.289...; sustainable total = 50 - x.
    expect(sustainableTotal(game, 50)).toBeCloseTo(50 * Math.SQRT2 - 50, 9);
    expect(regrow(game, 50 - sustainableTotal(game, 50))).toBeCloseTo(50, 9);
    expect(regrow(game, 30)).toBe(51);
    expect(sustainableTotal(game, 100)).toBe(0);
  });

  it('grants requests the stock covers, flags those over the share, and pays nothing for an invalid one', () => {
    const choices = new Int8Array(4);
    const capital = new Float64Array(4);
    const payoff = new Float64Array(4);
    const o = harvest(game, 50, Float64Array.of(5, 5, 10, NaN), choices, capital, payoff);
    expect(o.share).toBeCloseTo((50 * Math.SQRT2 - 50) / 4, 9); // 5.18
    expect([...choices]).toEqual([0, 0, 1, INVALID]);
    expect([...payoff]).toEqual([5, 5, 10, 0]);
    expect(o.stockAfter).toBe(51); // 30 left, + 30 x 0.7
  });

  it('shares out the whole stock in proportion when asked for more, and the stock collapses', () => {
    const payoff = new Float64Array(4);
    const o = harvest(game, 50, Float64Array.of(40, 40, 0, 0), new Int8Array(4), new Float64Array(4), payoff);
    expect([...payoff]).toEqual([25, 25, 0, 0]);
    expect(o.stockAfter).toBe(0);
  });

  it('stays level when classic agents all take the sustainable share', async () => {
    const r = await runScenario(scenario(), { out: tempDir() });
    const rounds = r.rounds as unknown as Array<{ violations: number; stock: number; sustainableShare: number }>;
    expect(rounds.map((x) => x.violations)).toEqual([0, 0, 0, 0]);
    for (const x of rounds) expect(x.stock).toBeCloseTo(50, 9);
  });

  it('collapses when seeded over-harvesting spreads by imitation', async () => {
    const r = await runScenario(scenario({ rounds: 6, population: { size: 4, policy: 'imitate-best', seedViolators: { count: 1 } } }), { out: tempDir() });
    const rounds = r.rounds as unknown as Array<{ violations: number; stock: number }>;
    expect(rounds[0].violations).toBe(1);
    expect(rounds[1].violations).toBe(4);
    expect(rounds[rounds.length - 1].stock).toBeLessThan(1);
  });

  it('is playable by LLM agents, who answer with an amount and see the stock', async () => {
    const model = scriptedModel((o) => (o.agent === 0 ? 'I take {"amount": 12}' : o.agent === 1 ? 'no idea' : '{"amount": 2.5}'));
    const r = await runScenario(scenario({ rounds: 2, population: { size: 4, policy: 'llm' }, prompt: { repair: false } }), { out: tempDir(), model });
    const d = readJsonl<DecisionRecord & { amount: number }>(join(r.runDir, 'decisions.jsonl'));
    expect(d.filter((x) => x.round === 1).map((x) => [x.choice, x.amount, x.payoff])).toEqual([
      ['over', 12, 12],
      [null, null, 0],
      ['within', 2.5, 2.5],
      ['within', 2.5, 2.5],
    ]);
    const prompt = d[0].messages!.map((m) => m.content).join('\n');
    expect(prompt).toContain('The stock holds 50 tons of fish; the sustainable share is 5.18 per person.');
    expect(prompt).toContain('{"amount": <a number from 0 to 100>}');
    expect(d.find((x) => x.round === 2)!.messages![1].content).toContain('You asked for 12; the sustainable share was 5.18. After regrowth the stock holds 55.11.'); // 50 - 17 = 33 left, + 33 x 0.67
  });
});
