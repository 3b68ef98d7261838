/**
 * The engine loop on its own: a stub game and stub policies, no scenario, no model, no files.
 */
import { describe, expect, it } from 'vitest';
import { runRounds, type LoopOptions } from '../../src/core/engine.ts';
import type { GameRules, Policy, RoundReporter } from '../../src/core/plugins.ts';
import type { Csr, DecisionRecord, RoundRecord } from '../../src/core/types.ts';
import type { Roles } from '../../src/core/world.ts';

/** A path 0 - 1 - ... - (n-1). */
function path(n: number): Csr {
  const offsets = new Int32Array(n + 1);
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) targets.push(i - 1);
    if (i < n - 1) targets.push(i + 1);
    offsets[i + 1] = targets.length;
  }
  return { n, offsets, targets: Int32Array.from(targets), keys: Array.from({ length: n }, (_, i) => `v${i}`) };
}

function roles(n: number, over: Partial<Roles> = {}): Roles {
  return { byPolicy: new Map([['stub', Int32Array.from({ length: n }, (_, i) => i)]]), committed: new Int32Array(0), seedViolators: new Int32Array(0), policyName: () => 'stub', ...over };
}

/** Violating (option 1) pays 2, complying pays 1; the outcome is the round's violator count. */
const stubGame: GameRules = {
  options: ['comply', 'violate'],
  violation: 1,
  startCapital: 10,
  pay(_round, choices, world, payoff) {
    let v = 0;
    for (let i = 0; i < choices.length; i++) {
      payoff[i] = choices[i] === 1 ? 2 : 1;
      world.capital[i] += payoff[i];
      v += choices[i] === 1 ? 1 : 0;
    }
    return v;
  },
  report: (name, outcome) => (name === 'violators' ? outcome : undefined),
};

const reporters: ReadonlyArray<readonly [string, RoundReporter]> = [
  ['violations', (f) => f.violations],
  ['fromGame', (f) => f.game.report?.('violators', f.outcome)],
  ['meanCapital', (f) => f.capitalSum / f.n],
  ['changes', (f) => f.changes],
];

async function run(over: Partial<LoopOptions>): Promise<{ rounds: RoundRecord[]; decisions: DecisionRecord[][] }> {
  const rounds: RoundRecord[] = [];
  const decisions: DecisionRecord[][] = [];
  const n = over.csr?.n ?? 4;
  await runRounds({
    rounds: 3,
    seed: 1,
    csr: path(n),
    roles: roles(n),
    game: stubGame,
    policies: new Map(),
    reporters,
    label: (c) => (c < 0 ? 'invalid' : stubGame.options[c]),
    sink: { round: (r, d) => void (rounds.push(r), decisions.push([...(d ?? [])])) },
    ...over,
  });
  return { rounds, decisions };
}

/** Agent i violates in round r when (i + r) is even. */
const alternating: Policy = {
  decide(agents, ctx, out) {
    for (const a of agents) out[a] = (a + ctx.round) % 2 === 0 ? 1 : 0;
  },
};

describe('the engine loop', () => {
  it('lets a stub policy decide, the stub game pay, and reporters fill the round record', async () => {
    const { rounds, decisions } = await run({ policies: new Map([['stub', alternating]]) });
    expect(rounds.map((r) => r.violations)).toEqual([2, 2, 2]);
    expect(rounds[0]).toEqual({ round: 1, violations: 2, fromGame: 2, meanCapital: 11.5 });
    expect(decisions[0][1]).toEqual({ round: 1, agent: 1, node: 'v1', policy: 'stub', choice: 'violate', shownChoice: 'violate', valid: true, violated: true, payoff: 2, capital: 12 });
  });

  it('awaits asynchronous policies and keeps choices by agent whatever order they finish in', async () => {
    const slow: Policy = {
      async decide(agents, ctx, out) {
        await Promise.all([...agents].map((a) => new Promise<void>((resolve) => setTimeout(() => ((out[a] = (a + ctx.round) % 2 === 0 ? 1 : 0), resolve()), (7 - a) * 3))));
      },
    };
    const sync = await run({ policies: new Map([['stub', alternating]]) });
    const async = await run({ policies: new Map([['stub', slow]]) });
    expect(async).toEqual(sync);
  });

  it('forces committed agents to option 0 and seeded violators to the violation in round 1', async () => {
    const { decisions } = await run({
      roles: roles(4, { committed: Int32Array.of(3), seedViolators: Int32Array.of(0), byPolicy: new Map([['stub', Int32Array.of(0, 1, 2)]]), policyName: (a) => (a === 3 ? 'committed' : 'stub') }),
      policies: new Map([['stub', { decide: (agents, _ctx, out) => agents.forEach((a) => (out[a] = 0)) }]]),
    });
    expect(decisions[0].map((d) => [d.policy, d.choice])).toEqual([['seed', 'violate'], ['stub', 'comply'], ['stub', 'comply'], ['committed', 'comply']]);
    expect(decisions[1][0].choice).toBe('comply');
  });

  it('under random-sequential, lets each agent see the choices already made in the round', async () => {
    const seenNew: number[][] = [];
    const flip: Policy = {
      decide(agents, ctx, out) {
        const now = ctx.round % 2;
        if (agents.length === 1 && ctx.round === 2) {
          let k = 0;
          for (let j = 0; j < ctx.prev.choice.length; j++) if (j !== agents[0] && ctx.prev.choice[j] === now) k++;
          (seenNew[0] ??= []).push(k);
        }
        for (const a of agents) out[a] = now;
      },
    };
    await run({ csr: path(6), roles: roles(6), policies: new Map([['stub', flip]]), schedule: 'random-sequential' });
    // The k-th agent to decide in round 2 sees the k - 1 agents before it with this round's choice.
    expect([...seenNew[0]].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('applies interventions before the round and reports what they changed', async () => {
    const cut = {
      name: 'cut',
      apply(round: number, world: { csr: Csr }) {
        if (round !== 2) return null;
        world.csr = { ...world.csr, offsets: new Int32Array(world.csr.n + 1), targets: new Int32Array(0) };
        return { edgesRemoved: 3 };
      },
    };
    const degrees: number[] = [];
    const probe: Policy = { decide: (agents, ctx, out) => void (degrees.push(ctx.world.csr.targets.length), agents.forEach((a) => (out[a] = 0))) };
    const { rounds } = await run({ policies: new Map([['stub', probe]]), interventions: [cut] });
    expect(degrees).toEqual([6, 0, 0]);
    expect(rounds.map((r) => (r as unknown as Record<string, unknown>).changes)).toEqual([undefined, { cut: { edgesRemoved: 3 } }, undefined]);
  });

  it('refuses a run with a policy group that has no policy', async () => {
    await expect(run({ policies: new Map() })).rejects.toThrow(/no policy for the group "stub"/);
  });
});
