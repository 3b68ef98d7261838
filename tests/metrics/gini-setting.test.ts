/**
 * `metrics.gini`: the per-round Gini of capital (a sort of every capital) is computed only where a
 * scenario asks for it. `auto` (the default) keeps the records as they were; `off` records null
 * with the reason `not computed`, in rounds.jsonl and in the summary; `exact` lifts the size limit.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RoundFacts } from '../../src/core/plugins.ts';
import type { RoundRecord } from '../../src/core/types.ts';
import { AtpSimError } from '../../src/core/errors.ts';
import { readJsonl } from '../../src/io/files.ts';
import { reporters } from '../../src/metrics/round.ts';
import { gini } from '../../src/metrics/stats.ts';
import { runScenario } from '../../src/run.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

/** A small classic run whose capitals spread out (a seeded cascade on a ring). */
const classic = (metrics?: unknown) =>
  thresholdScenario({
    rounds: 6,
    ...(metrics ? { metrics } : {}),
    population: { size: 40, policy: 'imitate-best', seedViolators: { count: 4, placement: 'random' } },
    network: { kind: 'ring', n: 40, k: 4 },
    game: { options: { collective: 'invest', independent: 'keep money' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.5, normal: 1.0, low: 0.9 }, successPaysAll: false },
  });

async function rounds(raw: Record<string, unknown>): Promise<{ rounds: RoundRecord[]; summary: Record<string, unknown> }> {
  const run = await runScenario(raw, { out: tempDir() });
  return { rounds: readJsonl<RoundRecord>(join(run.runDir, 'rounds.jsonl')), summary: JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8')) };
}

/** The giniCapital and giniUndefined reporters' values for one round's facts. */
function giniFields(mode: 'auto' | 'exact' | 'off', capital: Float64Array): { giniCapital: unknown; giniUndefined: unknown } {
  const byName = new Map(reporters([], mode));
  const facts = { round: 1, n: capital.length, capital, capitalSum: capital.reduce((a, b) => a + b, 0) } as unknown as RoundFacts;
  return { giniCapital: byName.get('giniCapital')!(facts), giniUndefined: byName.get('giniUndefined')!(facts) };
}

describe('metrics.gini', () => {
  it('is left out of a resolved scenario that does not set it, and kept when set', () => {
    expect('metrics' in resolveScenario(classic())).toBe(false);
    expect(resolveScenario(classic({ gini: 'off' })).metrics).toEqual({ gini: 'off' });
    expect(resolveScenario(classic({})).metrics).toEqual({ gini: 'auto' });
  });

  it('refuses an unknown value, naming the field and the values it takes', () => {
    let err: unknown;
    try {
      resolveScenario(classic({ gini: 'fast' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AtpSimError);
    expect((err as AtpSimError).code).toBe('INVALID_SCENARIO');
    expect((err as AtpSimError).issues).toEqual([{ path: 'metrics.gini', message: 'must be one of auto, exact, off; got "fast"' }]);
  });

  it('off: every round records a null Gini said to be not computed, the rest of the record unchanged', async () => {
    const auto = await rounds(classic());
    const off = await rounds(classic({ gini: 'off' }));
    expect(auto.rounds.every((r) => typeof r.giniCapital === 'number' && r.giniUndefined === undefined)).toBe(true);
    expect(new Set(auto.rounds.map((r) => r.giniCapital)).size).toBeGreaterThan(2);
    expect(off.rounds).toEqual(auto.rounds.map((r) => ({ ...r, giniCapital: null, giniUndefined: 'not computed' })));
    expect(off.summary).toMatchObject({ giniCapital: null, giniUndefined: 'not computed' });
    expect(auto.summary.giniCapital).toBe(auto.rounds.at(-1)!.giniCapital);
  });

  it('exact: the same Gini as auto where auto computes one', async () => {
    expect((await rounds(classic({ gini: 'exact' }))).rounds).toEqual((await rounds(classic())).rounds);
  });

  it('auto skips the sort above 100 000 agents and says so; exact computes it there too', () => {
    const capital = Float64Array.from({ length: 100_001 }, (_, i) => 1 + (i % 13));
    expect(giniFields('auto', capital)).toEqual({ giniCapital: NaN, giniUndefined: 'not computed' });
    expect(giniFields('exact', capital)).toEqual({ giniCapital: gini(capital), giniUndefined: undefined });
    expect(giniFields('exact', capital).giniCapital).toBeGreaterThan(0.1);
    const small = capital.subarray(0, 1000);
    expect(giniFields('auto', small)).toEqual({ giniCapital: gini(small), giniUndefined: undefined });
    expect(giniFields('off', small)).toEqual({ giniCapital: NaN, giniUndefined: 'not computed' });
  });
});
