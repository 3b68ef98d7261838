/**
 * A realistic, fabricated ReportData for the report tests: a small sweep (conditions x rounds
 * with Wilson-like bands), exposure curves, a ring-with-shortcuts network with two snapshots,
 * a runs table and first-violation transcripts. Deterministic (seeded), no file system.
 */
import { rngStream } from '../../src/core/rng.ts';
import type { ChatMessage } from '../../src/core/types.ts';
import type { ExposureCurve, NetworkView, ReportCondition, ReportData } from '../../src/report/types.ts';

export const XSS_REPLY = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">';

export interface FixtureOptions {
  readonly conditions?: number; // default 3
  readonly rounds?: number; // default 10
  readonly nodes?: number; // default 30
  readonly replicates?: number; // default 5
  readonly withSuccess?: boolean; // default true
  readonly title?: string;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

function interval(mean: number, n: number) {
  const half = 1.96 * Math.sqrt((mean * (1 - mean) + 0.01) / Math.max(1, n));
  return { mean, lo: clamp01(mean - half), hi: clamp01(mean + half), n };
}

function condition(label: string, params: Record<string, unknown>, speed: number, rounds: number, replicates: number, withSuccess: boolean): ReportCondition {
  const curve = (r: number) => 0.05 + 0.9 / (1 + Math.exp(-speed * (r - rounds / 2)));
  const violation = Array.from({ length: rounds }, (_, i) => ({ round: i + 1, ...interval(curve(i + 1), replicates) }));
  const success = withSuccess
    ? Array.from({ length: rounds }, (_, i) => ({ round: i + 1, ...interval(clamp01(1 - curve(i + 1) * 0.8), replicates) }))
    : undefined;
  const final = violation[rounds - 1].mean;
  return {
    label,
    params,
    replicates,
    violation,
    ...(success ? { success } : {}),
    finalRate: interval(final, replicates),
    tippedShare: interval(final > 0.5 ? 0.8 : 0.2, replicates),
    halfRoundMedian: final > 0.5 ? Math.round(rounds / 2) : null,
  };
}

export function fixtureNetwork(nodes: number, seed = 7): NetworkView {
  const rng = rngStream(seed, 'fixture-network');
  const edges: Array<readonly [number, number]> = [];
  for (let i = 0; i < nodes; i++) {
    edges.push([i, (i + 1) % nodes]);
    edges.push([i, (i + 2) % nodes]);
  }
  for (let s = 0; s < Math.max(1, Math.floor(nodes / 10)); s++) {
    const a = Math.floor(rng() * nodes);
    const b = Math.floor(rng() * nodes);
    if (a !== b) edges.push([a, b]);
  }
  const snapshot = (round: number, share: number) => ({
    round,
    choices: Array.from({ length: nodes }, (_, i) => (i === 3 ? -1 : rng() < share ? 1 : 0)),
  });
  return {
    nodes,
    edges,
    labels: Array.from({ length: nodes }, (_, i) => `agent-${i}`),
    optionNames: ['contribute', 'collude'],
    violationIndex: 1,
    snapshots: [snapshot(1, 0.1), snapshot(10, 0.7)],
  };
}

function transcriptMessages(round: number): ChatMessage[] {
  return [
    { role: 'system', content: 'You are a participant in a repeated public-goods game. Rules: contributing costs 1 & pays 2x if the group reaches the threshold.' },
    { role: 'user', content: `Round ${round}. Last round your neighbours chose: agent-2 "collude" (earned 14), agent-5 "contribute" (earned 6). Reply with {"choice": ...}.` },
  ];
}

export function fixtureReport(options: FixtureOptions = {}): ReportData {
  const k = options.conditions ?? 3;
  const rounds = options.rounds ?? 10;
  const replicates = options.replicates ?? 5;
  const withSuccess = options.withSuccess ?? true;
  const topologies = ['ring', 'small-world', 'scale-free', 'erdos-renyi', 'complete', 'lattice'];
  const conditions = Array.from({ length: k }, (_, i) =>
    condition(`network.kind=${topologies[i % topologies.length]}`, { 'network.kind': topologies[i % topologies.length], threshold: 0.5 }, 0.4 + 0.5 * i, rounds, replicates, withSuccess),
  );
  const exposure: ExposureCurve[] = conditions.slice(0, 2).map((c, ci) => ({
    label: c.label,
    points: Array.from({ length: 6 }, (_, kk) => {
      const p = clamp01(0.05 + kk * (0.1 + 0.05 * ci));
      const n = 40 - kk * 6;
      const iv = interval(p, n);
      return { k: kk, p, lo: iv.lo, hi: iv.hi, n };
    }),
  }));
  const runs = conditions.flatMap((c, ci) =>
    Array.from({ length: replicates }, (_, r) => ({
      id: `c${ci}-r${r}`,
      params: c.params,
      seed: 1000 + ci * 100 + r,
      finalRate: c.finalRate.mean,
      tipped: c.finalRate.mean > 0.5,
      halfRound: c.halfRoundMedian,
      firstViolationRound: 2 + ci,
      invalid: r % 2,
    })),
  );
  const transcripts = [
    { run: 'c0-r0', round: 3, agent: 7, messages: transcriptMessages(3), reply: XSS_REPLY, choice: 'collude', note: 'first violation in c0-r0: imitated agent-2 (rewarded violation)' },
    { run: 'c1-r0', round: 2, agent: 11, messages: transcriptMessages(2), reply: '{"choice": "collude"} because agent-2 earned more & "it works"', choice: 'collude', note: "first violation in c1-r0: neighbour's payoff was higher" },
  ];
  return {
    title: options.title ?? 'Tipping sweep <b>bold?</b> & friends',
    kind: 'sweep',
    subtitle: `${k} topologies x threshold 0.5, ${replicates} replicates, ${rounds} rounds`,
    conditions,
    heatmap: {
      xLabel: 'network.kind',
      yLabel: 'threshold',
      cells: conditions.flatMap((c) =>
        [0.3, 0.5, 0.7].map((t) => ({ x: String(c.params['network.kind']), y: String(t), value: clamp01(c.finalRate.mean - (t - 0.5)), n: replicates })),
      ),
    },
    exposure,
    network: fixtureNetwork(options.nodes ?? 30),
    runs,
    transcripts,
  };
}

/** A sweep-like report of topology x threshold x share with a fixed model setting: 18 conditions. */
export function gridReport(): ReportData {
  const base = fixtureReport({ conditions: 18, rounds: 8, nodes: 30 });
  const nets = [{ kind: 'ring', k: 4 }, { kind: 'watts-strogatz', k: 4, beta: 0.1 }, { kind: 'barabasi-albert', m: 2 }];
  const params = nets.flatMap((network) => [2, 4, 6].flatMap((t) => [0, 0.25].map((share) => ({ network, 'game.threshold': t, 'population.committed.share': share, 'model.temperature': 0.7 }))));
  const conditions = base.conditions.map((c, i) => ({ ...c, label: `network=${JSON.stringify(params[i].network)}, game.threshold=${params[i]['game.threshold']}, population.committed.share=${params[i]['population.committed.share']}, model.temperature=0.7`, params: params[i] }));
  const exposure = conditions.flatMap((c, i) => (['any', 'rewarded'] as const).map((variant) => ({ ...base.exposure[i % 2], label: variant === 'any' ? c.label : `${c.label} (rewarded neighbours)`, variant, by: 'count' as const, condition: c.label })));
  return { ...base, conditions, exposure };
}
