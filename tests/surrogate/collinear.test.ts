/**
 * `atp-sim fit` must not keep a feature column that is a linear function of the ones it already
 * keeps (the intercept included): on a graph where every agent has the same degree, a share is
 * the count divided by that degree, and two such columns split one effect between two
 * coefficients with identical, needlessly wide intervals. Found by a user audit on a complete
 * graph (degree 7): violatingShare and rewardedShare were kept beside the counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import { parseModelArg } from '../../src/llm/index.ts';
import { SURROGATE_FEATURES, FEATURE_COUNT, type SurrogateFeature } from '../../src/policies/surrogate-model.ts';
import { runSweep } from '../../src/sweep.ts';
import { fitSurrogate, pickColumns } from '../../src/surrogate/fit.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { ruleReply } from '../helpers/rule-agent.ts';
import { tempDir } from '../helpers/paths.ts';

const VIOLATE = 'join the scheme';
const COMPLY = 'stay out';

/** A table of `rows` decisions with every feature given by `col(feature, row)`. */
function table(rows: number, col: (f: SurrogateFeature, r: number, row: Record<string, number>) => number): { x: Float64Array; rows: number } {
  const x = new Float64Array(rows * FEATURE_COUNT);
  for (let r = 0; r < rows; r++) {
    const row: Record<string, number> = {};
    SURROGATE_FEATURES.forEach((f, c) => (x[r * FEATURE_COUNT + c] = row[f] = col(f, r, row)));
  }
  return { x, rows };
}

describe('the columns a fit keeps (hand-built decisions)', () => {
  const rand = rngStream(11, 'collinear');
  const int = (k: number) => Math.floor(rand() * k);
  // On a graph of degree 7 the shares are the counts / 7; in a game whose payoff follows the
  // agent's own choice, ownPayoff is an affine function of ownViolated; payoffGap here mixes two.
  const data = table(60, (f, _r, row) => {
    switch (f) {
      case 'ownViolated': return int(2);
      case 'ownPayoff': return 1.3 - 0.4 * row.ownViolated;
      case 'violatingNeighbours': return int(8);
      case 'violatingShare': return row.violatingNeighbours / 7;
      case 'rewardedViolators': return int(row.violatingNeighbours + 1);
      case 'rewardedShare': return row.rewardedViolators / 7;
      case 'payoffGap': return 0.5 + 2 * row.ownViolated - row.violatingNeighbours;
      case 'round': return 2 + int(5);
      case 'supervised': return 0;
    }
  });

  it('keeps one column of each linearly dependent group, the first in feature order', () => {
    const { cols } = pickColumns(data, SURROGATE_FEATURES);
    expect(cols.map((c) => SURROGATE_FEATURES[c])).toEqual(['ownViolated', 'violatingNeighbours', 'rewardedViolators', 'round']);
  });

  it('says which it left out and the relation found, in the units of the features', () => {
    const { dropped } = pickColumns(data, SURROGATE_FEATURES);
    expect(dropped).toEqual([
      { feature: 'ownPayoff', reason: 'a linear function of ownViolated in the data (ownPayoff = 1.3 - 0.4 × ownViolated)' },
      { feature: 'violatingShare', reason: 'a linear function of violatingNeighbours in the data (violatingShare = 0.142857 × violatingNeighbours)' },
      { feature: 'rewardedShare', reason: 'a linear function of rewardedViolators in the data (rewardedShare = 0.142857 × rewardedViolators)' },
      { feature: 'payoffGap', reason: 'a linear function of ownViolated, violatingNeighbours in the data (payoffGap = 0.5 + 2 × ownViolated - 1 × violatingNeighbours)' },
      { feature: 'supervised', reason: 'constant in the data (always 0)' },
    ]);
  });

  it('follows the order of the features asked for: the share kept, the count left out', () => {
    const { cols, dropped } = pickColumns(data, ['violatingShare', 'violatingNeighbours', 'round']);
    expect(cols.map((c) => SURROGATE_FEATURES[c])).toEqual(['violatingShare', 'round']);
    expect(dropped).toEqual([{ feature: 'violatingNeighbours', reason: 'a linear function of violatingShare in the data (violatingNeighbours = 7 × violatingShare)' }]);
  });

  it('keeps a column that is nearly, but not exactly, a multiple of another (a degree that differs once)', () => {
    const near = table(60, (f, r, row) => (f === 'violatingShare' ? row.violatingNeighbours / (r === 17 ? 6 : 7) : (data.x[r * FEATURE_COUNT + SURROGATE_FEATURES.indexOf(f)])));
    const { cols, dropped } = pickColumns(near, ['violatingNeighbours', 'violatingShare']);
    expect(cols.map((c) => SURROGATE_FEATURES[c])).toEqual(['violatingNeighbours', 'violatingShare']);
    expect(dropped).toEqual([]);
  });

  it('still names an identical column as identical', () => {
    const same = table(30, (f, r) => (f === 'rewardedViolators' ? data.x[r * FEATURE_COUNT + 2] : data.x[r * FEATURE_COUNT + SURROGATE_FEATURES.indexOf(f)]));
    const { dropped } = pickColumns(same, ['violatingNeighbours', 'rewardedViolators']);
    expect(dropped).toEqual([{ feature: 'rewardedViolators', reason: 'identical to violatingNeighbours in the data' }]);
  });
});

describe('a fit to LLM agents on a complete graph (every agent has degree 7)', () => {
  let server: OpenAiServer;
  let dir: string;

  beforeAll(async () => {
    server = await startOpenAiServer({ reply: ruleReply({ intercept: -1, ownViolated: 2, violatingShare: 2, rewardedViolators: 0.2 }, VIOLATE, COMPLY) });
    const res = await runSweep(
      {
        name: 'complete',
        replicates: 2,
        seed: 7,
        concurrency: 2,
        record: 'all',
        base: {
          name: 'complete',
          kind: 'threshold-game',
          rounds: 5,
          population: { size: 8, policy: 'llm', seedViolators: { count: 3, placement: 'random' } },
          network: { kind: 'complete' },
          // A violator below threshold loses (pays -0.5): not every violator is rewarded, so
          // rewardedViolators differs from violatingNeighbours and both pairs of the audit appear.
          game: { options: { collective: VIOLATE, independent: COMPLY }, violation: 'collective', scope: 'neighborhood', threshold: 0.6, rewards: { high: 1.3, normal: 1.0, low: -0.5 }, successPaysAll: false },
          prompt: { style: 'network', historyWindow: 1, text: { system: 'You are one of {n} participants.', round: 'A new round begins.' } },
          model: { concurrency: 8 },
        },
      },
      { out: tempDir(), modelSettings: parseModelArg('rule-model', server.url), cache: { mode: 'off' } },
    );
    expect(res.failed).toEqual([]);
    dir = res.dir;
  }, 120_000);
  afterAll(() => server.close());

  it('keeps the counts and leaves out the shares (count / 7), saying so', () => {
    const s = fitSurrogate(dir);
    expect(s.features).toEqual(['ownViolated', 'ownPayoff', 'violatingNeighbours', 'rewardedViolators', 'payoffGap', 'round']);
    expect(s.dropped).toEqual([
      { feature: 'violatingShare', reason: 'a linear function of violatingNeighbours in the data (violatingShare = 0.142857 × violatingNeighbours)' },
      { feature: 'rewardedShare', reason: 'a linear function of rewardedViolators in the data (rewardedShare = 0.142857 × rewardedViolators)' },
      { feature: 'supervised', reason: 'constant in the data (always 0)' },
    ]);
    // No two kept coefficients are one effect split in two (the audit saw equal estimates and intervals).
    const est = s.standardised.slice(1).map((e) => `${e.estimate} ${e.lo} ${e.hi}`);
    expect(new Set(est).size).toBe(est.length);
  });
});
