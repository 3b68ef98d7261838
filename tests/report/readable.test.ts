/**
 * A report that reads at a glance (issue 16, item 3): conditions named by what varies between
 * them, small multiples where curves would tangle, a heat map that says what it averages, the
 * network's run named and drawn so its structure shows, and a single run's rounds, capital,
 * inequality, invalid replies, model, tokens and cost.
 */
import { describe, expect, it } from 'vitest';
import { diffusionSpec, reportCharts } from '../../src/report/charts.ts';
import { buildReportData } from '../../src/report/data.ts';
import { renderReport } from '../../src/report/html.ts';
import { constantParams, shortLabels, varyingKeys } from '../../src/report/labels.ts';
import { layoutNetwork } from '../../src/report/layout.ts';
import { runSweep } from '../../src/sweep.ts';
import { tempDir } from '../helpers/paths.ts';
import { classicBase } from '../sweep/fixtures.ts';
import { serveFixture } from '../serve/fixture.ts';
import { fixtureReport, gridReport } from './fixture.ts';

/** The 18-condition page, rendered once (Vega draws 40 panels). */
let gridPageCache: string | undefined;
const gridPage = () => (gridPageCache ??= renderReport(gridReport()));

describe('condition labels', () => {
  const conditions = gridReport().conditions;

  it('keep only the parameters that vary, with short keys', () => {
    expect(varyingKeys(conditions)).toEqual(['network', 'game.threshold', 'population.committed.share']);
    expect(shortLabels(conditions).slice(0, 2)).toEqual(['network=ring,k=4 · threshold=2 · share=0', 'network=ring,k=4 · threshold=2 · share=0.25']);
    expect(constantParams(conditions)).toEqual([['model.temperature', '0.7']]);
  });

  it('keep whole keys when their last parts would read the same', () => {
    const two = [
      { label: 'a', params: { 'game.threshold': 1, 'population.threshold': 2 } },
      { label: 'b', params: { 'game.threshold': 3, 'population.threshold': 4 } },
    ];
    expect(shortLabels(two)).toEqual(['game.threshold=1 · population.threshold=2', 'game.threshold=3 · population.threshold=4']);
  });

  it('fall back to the condition label when nothing varies', () => {
    expect(shortLabels([{ label: 'public-fund', params: {} }])).toEqual(['public-fund']);
  });

  it('name the legend entries of a chart with few conditions', () => {
    const spec = diffusionSpec(conditions.slice(0, 3), 'violation') as unknown as { encoding: { color: { scale: { domain: string[] } } } };
    expect(spec.encoding.color.scale.domain).toEqual(['threshold=2 · share=0', 'threshold=2 · share=0.25', 'threshold=4 · share=0']);
  });
});

describe('the conditions table', () => {
  it('has no parameters column repeating the label, and says what is the same everywhere', () => {
    const page = gridPage();
    const table = page.slice(page.indexOf('<section id="conditions">'), page.indexOf('</section>', page.indexOf('<section id="conditions">')));
    expect(table).not.toContain('<th>parameters</th>');
    expect(table).toContain('<th scope="row">network=barabasi-albert,m=2 · threshold=6 · share=0.25</th>');
    expect(table).toContain('Same in every condition: <code>model.temperature=0.7</code>.');
    expect(table).not.toContain('{&quot;');
  });
});

describe('small multiples', () => {
  it('give each of 18 conditions a panel of its own, titled by what varies', () => {
    const charts = reportCharts(gridReport());
    const ids = charts.map((c) => c.id);
    expect(ids).not.toContain('chart-violation');
    expect(ids.filter((id) => id.startsWith('chart-violation-p'))).toHaveLength(18);
    expect(ids.filter((id) => id.startsWith('chart-exposure-p'))).toHaveLength(18);
    expect(charts.find((c) => c.id === 'chart-exposure-p1')?.caption).toBe('network=ring,k=4 · threshold=2 · share=0');
  });

  it('keep one chart while the series are few', () => {
    const ids = reportCharts(fixtureReport({ conditions: 3 })).map((c) => c.id);
    expect(ids).toEqual(['chart-violation', 'chart-success', 'chart-heatmap', 'chart-exposure']);
  });

  it('are laid out with their titles and one caption saying what is averaged over what', () => {
    const page = gridPage();
    expect(page.match(/<figure id="chart-violation-p\d+" class="panel"><figcaption class="panel-title">/g)).toHaveLength(18);
    expect(page).toContain("Violation rate per round: the mean over each condition&#39;s replicates (band: 95% interval); one panel per condition");
    expect(page).toContain('pooled over every run of a condition and every round');
  });
});

describe('panel titles', () => {
  it('are escaped like every other text', () => {
    const evil = '<img src=x onerror="alert(1)">';
    const data = gridReport();
    const conditions = data.conditions.slice(0, 7).map((c, i) => ({ ...c, params: { ...c.params, network: `${evil}${i}` } }));
    const page = renderReport({ ...data, conditions, exposure: [], heatmap: undefined });
    expect(page.match(/class="panel-title">/g)).toHaveLength(14);
    expect(page).not.toContain(evil);
    expect(page).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;0');
  });
});

describe('the heat map of a sweep with three grid axes', () => {
  it('draws one map per value of the third axis, and names a fourth as averaged over', async () => {
    const spec = (grid: Record<string, unknown[]>) => ({ name: 'cube', base: { ...classicBase(4), rounds: 2 }, grid, replicates: 1, seed: 5, record: 'all' });
    const three = (await runSweep(spec({ network: [{ kind: 'ring' }, { kind: 'erdos-renyi' }], 'game.threshold': [0.2, 0.3], 'population.seedViolators.count': [1, 2] }), { out: tempDir() })).dir;
    const data = buildReportData(three, { exposure: false });
    expect(data.heatmap?.panelLabel).toBe('population.seedViolators.count');
    expect(new Set(data.heatmap?.cells.map((c) => c.panel))).toEqual(new Set(['1', '2']));
    expect(data.heatmap?.cells).toHaveLength(8);
    const page = renderReport(data);
    expect(page).toContain('<figcaption class="panel-title">population.seedViolators.count=1</figcaption>');
    expect(page).toContain('One map per value of population.seedViolators.count.');

    const pooled = renderReport({ ...data, heatmap: { ...data.heatmap!, panelLabel: undefined, pooledOver: ['population.seedViolators.count'], cells: data.heatmap!.cells.map(({ panel: _p, ...c }) => c) } });
    expect(pooled).toContain('<h2>Final violation rate (averaged over population.seedViolators.count)</h2>');
    expect(pooled).toContain('Each cell also averages over every value of population.seedViolators.count');
    // n counts the runs of a cell: replicates times the values pooled over, not replicates.
    expect(pooled).not.toContain('n: replicates averaged');
    expect(pooled).toContain('(n: runs averaged, every replicate of every value of population.seedViolators.count)');
    expect(page).toContain('(n: replicates averaged)');
  });
});

describe('the network snapshot', () => {
  it('names the run it shows among the report runs', () => {
    const data = fixtureReport();
    const page = renderReport({ ...data, network: { ...data.network!, run: { id: 'c2-r4', condition: 'network.kind=scale-free', seed: 1204, of: 15 } } });
    expect(page).toContain('<h2>Network of run c2-r4</h2>');
    expect(page).toContain("Run <code>c2-r4</code> (network.kind=scale-free, seed 1204), one of the report's 15 runs: 30 agents");
  });

  it('draws a ring lattice as a ring, in the order of its nodes', () => {
    const n = 40;
    const edges: Array<[number, number]> = Array.from({ length: n }, (_, i) => [[i, (i + 1) % n], [i, (i + 2) % n]] as Array<[number, number]>).flat();
    const p = layoutNetwork(n, edges, { seed: 3 });
    const cx = Array.from({ length: n }, (_, i) => p[2 * i]).reduce((a, b) => a + b) / n;
    const cy = Array.from({ length: n }, (_, i) => p[2 * i + 1]).reduce((a, b) => a + b) / n;
    const radius = Array.from({ length: n }, (_, i) => Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy));
    const mean = radius.reduce((a, b) => a + b) / n;
    const spread = Math.sqrt(radius.reduce((a, r) => a + (r - mean) ** 2, 0) / n) / mean;
    expect(spread).toBeLessThan(0.15); // a disc of uniform density would be about 0.35
    // Walking the nodes in order goes once round the centre.
    const angle = (i: number) => Math.atan2(p[2 * i + 1] - cy, p[2 * i] - cx);
    let turned = 0;
    for (let i = 0; i < n; i++) {
      let d = angle((i + 1) % n) - angle(i);
      if (d > Math.PI) d -= 2 * Math.PI;
      if (d < -Math.PI) d += 2 * Math.PI;
      turned += d;
    }
    expect(Math.abs(turned)).toBeCloseTo(2 * Math.PI, 5);
  });
});

describe('a single-run report', () => {
  it('has the per-round table, capital and Gini over rounds, invalid replies, model, tokens and cost', async () => {
    const fx = await serveFixture();
    const data = buildReportData(fx.done);
    expect(data.runDetail?.rounds.map((r) => r.round)).toEqual([1, 2, 3, 4]);
    expect(data.runDetail?.model).toBe('scripted:script');
    expect(data.network?.run).toEqual({ id: 'demo', condition: 'test-game', seed: 7, of: 1 });
    const page = renderReport(data);
    const rounds = page.slice(page.indexOf('<section id="rounds">'), page.indexOf('</section>', page.indexOf('<section id="rounds">')));
    expect(rounds.match(/<tr><td class="num">\d<\/td>/g)).toHaveLength(4);
    expect(rounds).toContain('<th>Gini of capital</th>');
    expect(rounds).toContain('<td class="num">2/12</td>');
    for (const chart of ['chart-capital', 'chart-gini', 'chart-invalid']) expect(rounds).toContain(`data-chart="${chart}"`);
    expect(page).toMatch(/<dt>tokens<\/dt><dd>\d+ in, \d+ out<\/dd>/);
    expect(page).toMatch(/<dt>cost<\/dt><dd>\$0\.00\d\d<\/dd>/);
    expect(page).toContain("violation rate (share of the run's agents)");
  });

  it("prices the tokens it shows, not a summary.json left by an earlier session of a run still going", async () => {
    // The live run holds rounds 1-2 and the summary.json of the whole 4-round run (as a run
    // stopped, resumed and still going does: summary.json is written when a session ends).
    const fx = await serveFixture();
    const detail = buildReportData(fx.live).runDetail!;
    expect(detail.rounds.map((r) => r.round)).toEqual([1, 2]);
    const price = { input: 0.2, output: 0.6 };
    expect(detail.costUsd).toBeCloseTo((detail.tokensIn * price.input + detail.tokensOut * price.output) / 1e6, 12);
  });
});
