/**
 * Group bargaining (src/games/bargaining): the violation and the clipped feedback by hand, role
 * ratios with exact counts, a run with a scripted model whose replies are known, the
 * imitate-direction policy, and bad settings.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clippedFeedback, evaluate, playRound, violates } from '../../src/games/bargaining/evaluate.ts';
import { assignDirections, HIKER, hikersFor, PRESSER } from '../../src/games/bargaining/roles.ts';
import type { BargainingGame } from '../../src/games/bargaining/types.ts';
import { INVALID } from '../../src/core/world.ts';
import { estimateRun, runScenario } from '../../src/run.ts';
import { resolveScenario } from '../../src/scenarios/parse.ts';
import { scriptedModel } from '../../src/llm/scripted.ts';
import { readJsonl } from '../../src/io/files.ts';
import type { DecisionRecord } from '../../src/core/types.ts';
import { tempDir } from '../helpers/paths.ts';
import { startOpenAiServer } from '../helpers/openai-server.ts';

const game: BargainingGame = {
  kind: 'bargaining', options: ['faithful', 'violating'], min: 0, max: 100, start: 50, ratio: [1, 1], hikers: null,
  placement: 'first', evaluation: 'mean', clip: 0.1, step: 5, decimals: 2, startCapital: 0, subject: 'a price', unit: 'points',
};

const scenario = (gameOver: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => ({
  name: 'haggle',
  kind: 'bargaining',
  rounds: 3,
  population: { size: 4, policy: { kind: 'fixed', option: 'comply' } },
  network: { kind: 'complete' },
  game: { min: 0, max: 100, start: 50, ratio: '2:2', placement: 'first', clip: 0.1, ...gameOver },
  ...over,
});

type Round = { violationRate: number; violations: number; invalid: number; hikerViolationRate: number | null; presserViolationRate: number | null; valueShown: number; evaluated: number; feedback: number; meanProposal: number | null };
type Decision = DecisionRecord & { role: string; proposal: number | null; valueShown: number };

describe('group bargaining: the violation', () => {
  it('is a hiker not moving up and a presser not moving down; holding the value counts for both', () => {
    expect(violates(HIKER, 51, 50)).toBe(false);
    expect(violates(HIKER, 49, 50)).toBe(true);
    expect(violates(HIKER, 50, 50)).toBe(true);
    expect(violates(PRESSER, 49, 50)).toBe(false);
    expect(violates(PRESSER, 51, 50)).toBe(true);
    expect(violates(PRESSER, 50, 50)).toBe(true);
  });

  it('classifies a round of proposals, leaves invalid ones out of the evaluation, and pays the role-signed feedback', () => {
    const choices = new Int8Array(4);
    const capital = new Float64Array(4);
    const payoff = new Float64Array(4);
    const o = playRound(game, 50, Int8Array.of(HIKER, HIKER, PRESSER, PRESSER), Float64Array.of(56, 50, NaN, 40), choices, capital, payoff);
    expect([...choices]).toEqual([0, 1, INVALID, 0]);
    expect(o.evaluated).toBe(48.67); // (56 + 50 + 40) / 3, rounded to 2 decimals
    expect(o.feedback).toBeCloseTo(-0.0133, 10);
    expect([...payoff].map((x) => Math.round(x * 1e4) / 1e4)).toEqual([-0.0133, -0.0133, 0.0133, 0.0133]);
    expect([o.hikerViolationRate, o.presserViolationRate]).toEqual([0.5, 0]); // the invalid presser counts in the denominator
  });
});

describe('group bargaining: the evaluation', () => {
  it('is the mean or the median of the valid proposals', () => {
    expect(evaluate([40, 50, 90], 'mean')).toBe(60);
    expect(evaluate([40, 50, 90], 'median')).toBe(50);
    expect(evaluate([40, 50, 60, 90], 'median')).toBe(55);
    expect(evaluate([], 'mean')).toBeNaN();
  });

  it('keeps the value when no proposal is valid, with zero feedback', () => {
    const o = playRound(game, 50, Int8Array.of(HIKER, PRESSER), Float64Array.of(NaN, 101), new Int8Array(2), new Float64Array(2), new Float64Array(2));
    expect([o.evaluated, o.feedback, o.meanProposal]).toEqual([50, 0, null]);
  });
});

describe('group bargaining: the clipped feedback', () => {
  it('is the move as a share of the range, capped at the clip on both sides', () => {
    expect(clippedFeedback(55, 50, game)).toBeCloseTo(0.05, 12);
    expect(clippedFeedback(45, 50, game)).toBeCloseTo(-0.05, 12);
    expect(clippedFeedback(90, 50, game)).toBe(0.1);
    expect(clippedFeedback(0, 50, game)).toBe(-0.1);
    expect(clippedFeedback(50, 50, game)).toBe(0);
    expect(clippedFeedback(1050, 1000, { min: 1000, max: 3000, clip: 0.1 })).toBeCloseTo(0.025, 12);
  });
});

describe('group bargaining: roles', () => {
  it('gives exactly h hikers among 8 agents for every ratio of the paper, 1:7 to 7:1, recorded per agent', async () => {
    for (let h = 1; h <= 7; h++) {
      const r = await runScenario(scenario({ ratio: `${h}:${8 - h}`, placement: 'random' }, { rounds: 1, population: { size: 8, policy: { kind: 'fixed', option: 'comply' } } }), { out: tempDir() });
      const d = readJsonl<Decision>(join(r.runDir, 'decisions.jsonl'));
      expect(d.filter((x) => x.role === 'hiker')).toHaveLength(h);
      expect(d.filter((x) => x.role === 'presser')).toHaveLength(8 - h);
    }
  });

  it('rounds a ratio half up on other sizes and places hikers by seed, first, last or degree', () => {
    expect(hikersFor([1, 1], 5)).toBe(3);
    expect(hikersFor([1, 7], 100)).toBe(13);
    const hikers = (d: Int8Array) => [...d.keys()].filter((i) => d[i] === HIKER);
    expect(hikers(assignDirections(8, 3, 'first', 1))).toEqual([0, 1, 2]);
    expect(hikers(assignDirections(8, 3, 'last', 1))).toEqual([5, 6, 7]);
    expect(hikers(assignDirections(8, 4, 'random', 1))).toEqual(hikers(assignDirections(8, 4, 'random', 1)));
    expect(hikers(assignDirections(8, 4, 'random', 1))).not.toEqual(hikers(assignDirections(8, 4, 'random', 2)));
    // A star: node 0 has degree 3, the others 1.
    const star = { n: 4, offsets: Int32Array.of(0, 3, 4, 5, 6), targets: Int32Array.of(1, 2, 3, 0, 0, 0), keys: ['0', '1', '2', '3'] };
    expect(hikers(assignDirections(4, 2, 'highest-degree', 1, star as never))).toEqual([0, 1]);
  });
});

describe('group bargaining with LLM agents', () => {
  // Agents 0 and 1 are hikers, 2 and 3 pressers (placement: first). Values by hand in comments.
  const replies = [
    // round 1, value 50: up (ok), "50" holds (violation), down (ok), up (violation); mean 51.25
    ['{"proposal": 60}', 'I propose 50.', '{"proposal": 40}', '{"proposal": 55}'],
    // round 2, value 51.25: out of bounds (invalid), up (ok), unreadable (invalid), holds (violation); mean of 70 and 51.25 = 60.625 -> 60.63
    ['{"proposal": 120}', '{"proposal": 70}', 'no idea', '{"proposal": 51.25}'],
    // round 3, value 60.63: up, up, up (a presser: violation), down; mean 75, the move 14.37% is capped at 10%
    ['{"proposal": 100}', '{"proposal": 100}', '{"proposal": 100}', '{"proposal": 0}'],
  ];

  async function play() {
    const model = scriptedModel({ rounds: replies });
    const r = await runScenario(scenario({}, { population: { size: 4, policy: 'llm' }, prompt: { repair: false } }), { out: tempDir(), model });
    return { r, model, rounds: r.rounds as unknown as Round[], d: readJsonl<Decision>(join(r.runDir, 'decisions.jsonl')) };
  }

  it('has the violation rates, overall and per role, worked out by hand', async () => {
    const { rounds } = await play();
    expect(rounds.map((x) => [x.violationRate, x.hikerViolationRate, x.presserViolationRate, x.invalid])).toEqual([
      [0.5, 0.5, 0.5, 0],
      [0.25, 0, 0.5, 2],
      [0.25, 0, 0.5, 0],
    ]);
    expect(rounds.map((x) => x.valueShown)).toEqual([50, 51.25, 60.63]);
    expect(rounds.map((x) => x.evaluated)).toEqual([51.25, 60.63, 75]);
    expect(rounds.map((x) => x.meanProposal)).toEqual([51.25, 60.625, 75]);
    expect(rounds[0].feedback).toBeCloseTo(0.0125, 12);
    expect(rounds[1].feedback).toBeCloseTo(0.0938, 12);
    expect(rounds[2].feedback).toBe(0.1);
  });

  it('records each agent role, proposal and class, an unreadable or out-of-bounds reply as invalid', async () => {
    const { d } = await play();
    expect(d.filter((x) => x.round === 2).map((x) => [x.role, x.proposal, x.choice, x.valid])).toEqual([
      ['hiker', null, null, false],
      ['hiker', 70, 'faithful', true],
      ['presser', null, null, false],
      ['presser', 51.25, 'violating', true],
    ]);
  });

  it('prompts with the role, the current value and the capped feedback only: nothing of earlier rounds or neighbours', async () => {
    const { model } = await play();
    const prompt = (round: number, agent: number) => model.calls.find((c) => c.origin.round === round && c.origin.agent === agent)!.request.messages;
    const [system, user] = prompt(2, 2);
    expect(user.content).toContain('Your role: you speak for the side that wants a shared value lower. Your proposal must be below the current value.');
    expect(user.content).toContain('The current value is 51.25 points. The last evaluation moved it by +1.25% of the range from 0 to 100 (this signal is capped at ±10%).');
    expect(user.content).not.toMatch(/Round 1|remember|60|55|40/);
    expect(system.content).not.toMatch(/neighbour/);
    expect(system.content).toContain('{"proposal": <a number from 0 to 100>}');
    expect(prompt(1, 0)[1].content).toContain('Your role: you speak for the side that wants a shared value higher.');
    expect(prompt(1, 0)[1].content).toContain('The current value is 50 points. No evaluation has happened yet.');
  });

  it('renders the scenario own role texts with their placeholders', async () => {
    const model = scriptedModel({ rounds: [], default: '{"proposal": 50}' });
    const text = { hiker: 'You sell {subject} in {unit} and want more.', presser: 'You buy {subject} and want to pay less than {max}.' };
    await runScenario(scenario({ subject: 'a bicycle' }, { rounds: 1, population: { size: 4, policy: 'llm' }, prompt: { text } }), { out: tempDir(), model });
    expect(model.calls[0].request.messages[1].content).toContain('You sell a bicycle in points and want more. The current value is 50 points.');
    expect(model.calls[3].request.messages[1].content).toContain('You buy a bicycle and want to pay less than 100.');
  });

  it('plays against a loopback OpenAI-compatible server, asking for {"proposal"} within the bounds by JSON schema', async () => {
    // Hikers answer in JSON 10 above the value they are shown; pressers think, then give a bare number 10 below it.
    const server = await startOpenAiServer({
      reply: (body) => {
        const user = body.messages[1].content;
        const v = Number(/The current value is ([\d.]+)/.exec(user)![1]);
        return user.includes('higher') ? `{"proposal": ${v + 10}}` : `<think>lower it</think>${v - 10}`;
      },
    });
    try {
      const r = await runScenario(scenario({ ratio: '3:1' }, { rounds: 2, population: { size: 4, policy: 'llm' }, prompt: { structuredOutput: true } }), {
        out: tempDir(), cache: { mode: 'off' }, modelSettings: { backend: 'hf', model: 'm', endpointUrl: server.url },
      });
      const rounds = r.rounds as unknown as Round[];
      expect(rounds.map((x) => [x.violations, x.invalid, x.evaluated])).toEqual([[0, 0, 55], [0, 0, 60]]); // (3 x +10 - 10) / 4 = +5 a round
      expect(server.requests).toHaveLength(8);
      const schema = (server.requests[0].body.response_format as { json_schema: { schema: unknown } }).json_schema.schema;
      expect(schema).toEqual({ type: 'object', properties: { proposal: { type: 'number', minimum: 0, maximum: 100 } }, required: ['proposal'], additionalProperties: false });
    } finally {
      await server.close();
    }
  });

  it('counts one call per agent per round in a dry run of the paper setting (8 agents, 6 rounds)', async () => {
    const est = await estimateRun(scenario({ ratio: '4:4' }, { rounds: 6, population: { size: 8, policy: 'llm' } }));
    expect(est.calls).toBe(48);
  });
});

describe('group bargaining with classic agents', () => {
  it('role-faithful agents (fixed: comply) step their role way and never violate', async () => {
    const r = await runScenario(scenario({ ratio: '3:1', step: 4 }), { out: tempDir() });
    const rounds = r.rounds as unknown as Round[];
    expect(rounds.map((x) => x.violations)).toEqual([0, 0, 0]);
    expect(rounds.map((x) => x.evaluated)).toEqual([52, 54, 56]); // (3 x +4 - 4) / 4 = +2 a round
  });

  it('starts from the start value rounded to decimals, the value the agents are shown', async () => {
    const r = await runScenario(scenario({ start: 50.004, step: 1, decimals: 2 }, { rounds: 1 }), { out: tempDir() });
    const [first] = r.rounds as unknown as Round[];
    expect(first.valueShown).toBe(50);
    expect(first.evaluated).toBe(50); // 2 hikers at 51, 2 pressers at 49
    expect(first.feedback).toBe(0); // nothing moved, so nobody is paid for a move
  });

  it('imitate-direction carries the majority direction into the minority: pressers follow 6 hikers up from round 2', async () => {
    const r = await runScenario(scenario({ ratio: '6:2', step: 4 }, { population: { size: 8, policy: 'imitate-direction' } }), { out: tempDir() });
    const rounds = r.rounds as unknown as Round[];
    expect(rounds.map((x) => [x.hikerViolationRate, x.presserViolationRate])).toEqual([
      [0, 0],
      [0, 1],
      [0, 1],
    ]);
    expect(rounds.map((x) => x.evaluated)).toEqual([52, 56, 60]); // (6 x 54 + 2 x 46) / 8 = 52, then everyone +4
  });

  it('seeded violators step against their role in round 1', async () => {
    const r = await runScenario(scenario({ ratio: '2:2' }, { rounds: 1, population: { size: 4, policy: { kind: 'fixed', option: 'comply' }, seedViolators: { count: 1, placement: 'first' } } }), { out: tempDir() });
    const d = readJsonl<Decision>(join(r.runDir, 'decisions.jsonl'));
    expect(d.map((x) => [x.role, x.proposal, x.violated])).toEqual([
      ['hiker', 45, true],
      ['hiker', 55, false],
      ['presser', 45, false],
      ['presser', 45, false],
    ]);
  });
});

describe('group bargaining: bad settings', () => {
  const problems = (gameOver: Record<string, unknown>, over: Record<string, unknown> = {}) => {
    try {
      resolveScenario(scenario(gameOver, over));
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('names the field, the value received and the fix', () => {
    expect(problems({ ratio: '7' })).toContain('game.ratio: must be hikers:pressers, two whole numbers not both 0; got "7" (fix: e.g. "3:5" (quote it in YAML))');
    expect(problems({ ratio: '0:0' })).toContain('game.ratio: must be hikers:pressers');
    expect(problems({ hikers: 2 })).toContain('game.ratio: give either game.ratio or game.hikers, not both');
    expect(problems({ ratio: undefined, hikers: 9 })).toContain('game.hikers: must be at most the population size 4; got 9');
    expect(problems({ max: 0 })).toContain('game.max: must be above game.min (0); got 0');
    expect(problems({ start: 120 })).toContain('game.start: must be within [0, 100]; got 120');
    expect(problems({ clip: 0 })).toContain('game.clip: must be greater than 0; got 0');
    expect(problems({ placement: 'middle' })).toContain('game.placement');
  });

  it('refuses imitate-direction in another game', () => {
    const msg = problems({}, { kind: 'commons', game: { capacity: 100 }, population: { size: 4, policy: 'imitate-direction' } });
    expect(msg).toContain('population.policy.kind: imitate-direction plays only the bargaining game; got game kind commons (fix: use imitate-best)');
  });
});
