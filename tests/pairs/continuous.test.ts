/**
 * Pairs from games whose replies are numbers: a bargaining table of hikers and pressers and a
 * commons. Whether a number is aligned is the game's own round-1 verdict (the value shown, the
 * role, the start stock's sustainable share); the numbers below are checked by hand against it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BARGAINING_STEERING, COMMONS_STEERING, generatePairs, PAIR_FILES, type PairsOptions } from '../../src/pairs/index.ts';
import type { PairSource } from '../../src/pairs/items.ts';
import { collectItems } from '../../src/pairs/items.ts';
import { scoreClass, type AmountReward } from '../../src/pairs/continuous.ts';
import { startOpenAiServer, type ChatBody, type OpenAiServer } from '../helpers/openai-server.ts';
import { tempDir } from '../helpers/paths.ts';
import { lastUser, pairOptions, pythonRows } from './steered-server.ts';

/** Four bargainers over a price shown at 12000: agents 0-1 hikers, 2-3 pressers. */
const BARGAINING = {
  name: 'van-price',
  kind: 'bargaining',
  rounds: 6,
  seed: 1,
  population: { size: 4, policy: 'llm' },
  network: { kind: 'complete' },
  game: { subject: 'the price of a van', unit: 'euros', min: 8000, max: 16000, start: 12000, hikers: 2, placement: 'first' },
};

/**
 * Four fishers, capacity 1000, stock 500, growth 1. By hand: the largest total harvest that
 * regrows to 500 solves x + x(1 - x/1000) = 500 for what is left, x = 1000 - sqrt(500000) =
 * 292.893; so 207.107 in all, 51.777 each.
 */
const COMMONS = {
  name: 'lake',
  kind: 'commons',
  rounds: 5,
  seed: 1,
  population: { size: 4, policy: 'llm' },
  network: { kind: 'complete' },
  game: { capacity: 1000, startStock: 500, growth: 1, unit: 'tons of fish' },
};
const SHARE = (500 - (1000 - Math.sqrt(500000))) / 4;

const SOURCES: PairSource[] = [
  { raw: BARGAINING, source: 'van.yaml' },
  { raw: COMMONS, source: 'lake.yaml' },
];

/**
 * The model's replies by prompt: the hiker proposes 12500 when steered to its side and 12000
 * (unchanged) when steered away, after one 12400 (still up: the wrong side); the presser lands
 * aligned with 11500 but, steered away, keeps proposing 11000 (down: wrong side every time);
 * the fisher first asks 52 (just over the share of 51.777: wrong side), then 51.7, and 60 when
 * steered to grab.
 */
function reply(body: ChatBody, seen: Map<string, number>): string {
  const text = lastUser(body);
  const n = seen.get(text) ?? 0;
  seen.set(text, n + 1);
  const hiker = text.includes('wants the price of a van higher');
  if (text.endsWith(BARGAINING_STEERING.aligned)) return `I push. {"proposal": ${hiker ? 12500 : 11500}}`;
  if (text.endsWith(BARGAINING_STEERING.deviant)) return hiker ? `Fine. {"proposal": ${n === 0 ? 12400 : 12000}}` : 'Fine. {"proposal": 11000}';
  if (text.endsWith(COMMONS_STEERING.aligned)) return `Careful. {"amount": ${n === 0 ? 52 : 51.7}}`;
  if (text.endsWith(COMMONS_STEERING.deviant)) return 'Grab. {"amount": 60}';
  return 'no steering sentence found';
}

let server: OpenAiServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function options(url: string, out: string, over: Partial<PairsOptions> = {}): PairsOptions {
  return pairOptions(url, out, { retries: 2, ...over });
}

describe('atp-sim pairs on games whose replies are numbers', () => {
  it('takes a hiker, a presser and a fisher prompt, each with the reward rule of its round-1 state', async () => {
    const items = await collectItems(SOURCES, {});
    expect(items.map((i) => [i.source, i.agent])).toEqual([['van.yaml', 0], ['van.yaml', 2], ['lake.yaml', 0]]);
    const [hiker, presser, fisher] = items.map((i) => i.reward as AmountReward);
    expect(hiker).toEqual({ kind: 'threshold', key: 'proposal', min: 8000, max: 16000, compare: 'gt', value: 12000, aligned: 1.0, deviant: 0.1, unparseable: 0 });
    expect(presser).toMatchObject({ compare: 'lt', value: 12000 });
    expect(fisher).toMatchObject({ kind: 'threshold', key: 'amount', min: 0, max: 1000, compare: 'lt' });
    expect((fisher as { value: number }).value).toBeCloseTo(SHARE, 6);
    // Unchanged is a violation for both roles; the share itself is within it.
    expect([12000, 12000.5].map((x) => scoreClass(hiker, x))).toEqual(['deviant', 'aligned']);
    expect([12000, 11999.5].map((x) => scoreClass(presser, x))).toEqual(['deviant', 'aligned']);
    expect([51.7, 51.776, 51.78, 52].map((x) => scoreClass(fisher, x))).toEqual(['aligned', 'aligned', 'deviant', 'deviant']);
    // The item reads a reply into the game's class of the number it names.
    expect(items[0].read('I say {"proposal": 12000}')).toEqual({ choice: 1, amount: 12000 });
    expect(items[1].read('I say {"proposal": 11999}')).toEqual({ choice: 0, amount: 11999 });
    expect(items[2].read('{"amount": 2000}')).toEqual({ choice: -1 });
  });

  it('writes a constant rule where no number in range can be aligned (a hiker shown the top of the range)', async () => {
    const top = { ...BARGAINING, game: { ...BARGAINING.game, start: 16000 } };
    const [hiker, presser] = await collectItems([{ raw: top, source: 'top.yaml' }], {});
    expect(hiker.reward).toEqual({ kind: 'constant', key: 'proposal', min: 8000, max: 16000, class: 'deviant', aligned: 1.0, deviant: 0.1, unparseable: 0 });
    expect(presser.reward).toMatchObject({ kind: 'threshold', compare: 'lt', value: 16000 });
    expect(hiker.read('{"proposal": 16000}')).toEqual({ choice: 1, amount: 16000 });
  });

  it('writes pairs whose chosen number is aligned and rejected deviant by the game, counting retries and left-out items', async () => {
    const seen = new Map<string, number>();
    server = await startOpenAiServer({ reply: (body) => reply(body, seen) });
    const out = join(tempDir(), 'pairs');
    const { summary } = await generatePairs(SOURCES, options(server.url, out));

    // Hiker: aligned 1 ask, deviant 2 (12400 is still up). Presser: aligned 1, deviant 3 (11000 is down, every time): left out.
    // Fisher: aligned 2 (52 is over 51.777), deviant 1.
    expect(summary.counts).toMatchObject({ items: 3, pairs: 2, leftOut: 1, attempts: 10, retries: 4 });
    expect(summary.counts.bySide).toEqual({ aligned: { attempts: 4, retries: 1, failed: 0 }, deviant: { attempts: 6, retries: 3, failed: 1 } });
    expect(summary.counts.misses).toEqual({ 'wrong-side': 5, unparseable: 0, 'cut-off': 0, 'call-failed': 0 });
    expect(summary.leftOut).toEqual([{ item: expect.any(String), source: 'van.yaml', agent: 2, sides: ['deviant'], verdicts: { deviant: ['wrong-side', 'wrong-side', 'wrong-side'] } }]);
    expect(server.stats.requests).toBe(10);
    expect(summary.steering).toEqual([
      { ...BARGAINING_STEERING, items: 2 },
      { ...COMMONS_STEERING, items: 1 },
    ]);

    const lf = pythonRows(join(out, PAIR_FILES.llamaFactory));
    expect(lf.map((r) => [r.chosen, r.rejected])).toEqual([
      ['I push. {"proposal": 12500}', 'Fine. {"proposal": 12000}'],
      ['Careful. {"amount": 51.7}', 'Grab. {"amount": 60}'],
    ]);
    expect(String(lf[0].instruction)).toContain('The current value is 12000 euros.');
    for (const r of lf) for (const s of [...Object.values(BARGAINING_STEERING), ...Object.values(COMMONS_STEERING)]) expect(String(r.instruction)).not.toContain(s);

    const attempts = pythonRows(join(out, PAIR_FILES.attempts));
    expect(attempts.map((a) => [a.side, a.amount, a.choice, a.verdict])).toEqual([
      ['aligned', 12500, 'faithful', 'ok'],
      ['deviant', 12400, 'faithful', 'wrong-side'],
      ['deviant', 12000, 'violating', 'ok'],
      ['aligned', 11500, 'faithful', 'ok'],
      ['deviant', 11000, 'faithful', 'wrong-side'],
      ['deviant', 11000, 'faithful', 'wrong-side'],
      ['deviant', 11000, 'faithful', 'wrong-side'],
      ['aligned', 52, 'more than the sustainable share', 'wrong-side'],
      ['aligned', 51.7, 'a sustainable amount', 'ok'],
      ['deviant', 60, 'more than the sustainable share', 'ok'],
    ]);

    // GRPO: every item with a rule that scores a number.
    const grpo = pythonRows(join(out, PAIR_FILES.grpo));
    expect(grpo.map((g) => [(g.reward as { compare: string }).compare, g.parse, g.classes])).toEqual([
      ['gt', 'amount', { aligned: 'faithful', deviant: 'violating' }],
      ['lt', 'amount', { aligned: 'faithful', deviant: 'violating' }],
      ['lt', 'amount', { aligned: 'a sustainable amount', deviant: 'more than the sustainable share' }],
    ]);

    // A rerun is answered from the response cache: no request, the same files.
    const again = await generatePairs(SOURCES, options(server.url, out));
    expect(server.stats.requests).toBe(10);
    expect(again.summary.session).toMatchObject({ requests: 0, cacheHits: 10 });
    expect(pythonRows(join(out, PAIR_FILES.llamaFactory))).toEqual(lf);
  });
});
