/**
 * Chart specifications (Vega-Lite) for the HTML report, and their rendering to static SVG.
 *
 * Data never becomes code. Every spec carries its data inline (`data.values`) with fixed field
 * names, and strings from the data only appear as data values, scale domains and axis titles.
 * Vega-Lite turns some things into Vega expressions with the strings pasted in: custom sort
 * arrays (`sort: ['a', 'b']`) and the ARIA descriptions built from titles. Quotes or newlines in
 * a label would then break (or rewrite) the expression, so series are ordered by a numeric
 * index field or by the scale domain, and ARIA generation is off (`aria: false`; the page gives
 * each chart a caption instead). tests/report/html.test.ts checks that no data string reaches
 * an expression. Vega escapes text when it writes SVG, and the offline loader in
 * vega-render.mjs refuses every URL.
 *
 * Vega's headless renderer is asynchronous (`View.toSVG`). `renderVegaSvgs` is that path;
 * `renderVegaSvgsSync` runs the same code in a worker thread and blocks until it is done, for
 * callers that need a string right away.
 */
import { compile, type TopLevelSpec } from 'vega-lite';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { AtpSimError } from '../core/errors.ts';
import { renderVegaSvgs } from './vega-render.mjs';
import { shortLabels, uniqueLabels } from './labels.ts';
import type { ExposureCurve, ReportCondition, ReportData, RunDetailRound } from './types.ts';

export { uniqueLabels };

export type { TopLevelSpec };

/** A chart to render: an id (used to scope SVG ids and as the figure anchor) and its spec. */
export interface ChartSpec {
  readonly id: string;
  readonly spec: TopLevelSpec;
  /** A panel's title (small multiples), written by the page as escaped text. */
  readonly caption?: string;
}

const WIDTH = 560;
const HEIGHT = 260;

/** Shared look: plain sans-serif text (no web fonts), quiet grid, legends on the right. */
const CONFIG = {
  aria: false,
  font: 'sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
} as const;

/** Categorical colours: 10 distinct hues up to 10 series, 20 beyond that. */
function categoryScheme(count: number): 'tableau10' | 'tableau20' {
  return count <= 10 ? 'tableau10' : 'tableau20';
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Up to this many series share one chart; beyond, each condition gets a panel of its own. */
export const MAX_SERIES = 6;

/** What a rate per round is averaged over, for axis titles. */
export interface Averaging {
  /** `replicates` (sweeps, folders) or `agents` (a single run: the share of its agents). */
  readonly over: 'replicates' | 'agents';
}

function rateTitle(metric: 'violation' | 'success', avg: Averaging): string {
  const what = metric === 'violation' ? 'violation rate' : 'group success rate';
  return avg.over === 'agents' ? `${what} (share of the run's agents)` : `${what} (mean over replicates)`;
}

function diffusionValues(conditions: readonly ReportCondition[], metric: 'violation' | 'success', labels: readonly string[]) {
  const values: Array<Record<string, number | string>> = [];
  conditions.forEach((c, i) => {
    for (const p of c[metric] ?? []) {
      if (!finite(p.round) || !finite(p.mean)) continue;
      const lo = finite(p.lo) ? p.lo : p.mean;
      const hi = finite(p.hi) ? p.hi : p.mean;
      values.push({ condition: labels[i], ci: i, round: p.round, mean: p.mean, lo, hi, n: p.n });
    }
  });
  return values;
}

const ROUND_X = { field: 'round', type: 'quantitative', title: 'round', axis: { format: 'd', tickMinStep: 1 } } as const;

/**
 * Rate per round with its 95% interval band, one line per condition (`metric` picks the
 * violation rate or the group success rate); legends show the varying parameters only
 * (labels.ts). Undefined when no condition has a finite point.
 */
export function diffusionSpec(
  conditions: readonly ReportCondition[],
  metric: 'violation' | 'success',
  avg: Averaging = { over: 'replicates' },
): TopLevelSpec | undefined {
  const labels = shortLabels(conditions);
  const values = diffusionValues(conditions, metric, labels);
  if (values.length === 0) return undefined;
  const usedLabels = labels.filter((l) => values.some((v) => v.condition === l));
  const color = {
    field: 'condition',
    type: 'nominal',
    title: 'condition',
    scale: { domain: usedLabels, scheme: categoryScheme(usedLabels.length) },
    // Legend symbols as solid strokes (they would otherwise take the faint band's opacity).
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2.5, symbolFillColor: 'transparent' },
  } as const;
  return {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    encoding: { x: ROUND_X, color },
    layer: [
      {
        // Bands fade as conditions multiply, so overlapping intervals stay readable.
        mark: { type: 'area', opacity: usedLabels.length <= 3 ? 0.15 : Math.max(0.04, 0.45 / usedLabels.length) },
        encoding: {
          y: { field: 'lo', type: 'quantitative', title: rateTitle(metric, avg), scale: { domain: [0, 1] }, axis: { format: '.0%' } },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'line', point: { size: 18 }, strokeWidth: 2 },
        encoding: { y: { field: 'mean', type: 'quantitative' } },
      },
    ],
  };
}

const PANEL_WIDTH = 240;
const PANEL_HEIGHT = 130;

/**
 * Small multiples: one small chart for condition `index`, its line and band in colour over the
 * other conditions in light grey (for comparison), on the same axes as every other panel.
 */
export function diffusionPanelSpec(conditions: readonly ReportCondition[], index: number, metric: 'violation' | 'success'): TopLevelSpec | undefined {
  const labels = conditions.map((_, i) => `c${i}`); // internal keys: the panel's caption names it
  const values = diffusionValues(conditions, metric, labels);
  if (!values.some((v) => v.ci === index)) return undefined;
  const rounds = values.map((v) => v.round as number);
  const x = { ...ROUND_X, scale: { domain: [Math.min(...rounds), Math.max(...rounds)] } };
  // A short title: a long one would overhang the short panel (the caption says what is averaged).
  const y = { type: 'quantitative' as const, title: metric === 'violation' ? 'violation rate' : 'success rate', scale: { domain: [0, 1] }, axis: { format: '.0%', tickCount: 3 } };
  const self = { filter: { field: 'ci', equal: index } };
  return {
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    config: CONFIG,
    data: { values },
    layer: [
      { transform: [{ filter: { not: self.filter } }], mark: { type: 'line', color: '#c8cdd3', strokeWidth: 1 }, encoding: { x, y: { ...y, field: 'mean' }, detail: { field: 'ci', type: 'nominal' } } },
      { transform: [self], mark: { type: 'area', color: '#d62728', opacity: 0.18 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
      { transform: [self], mark: { type: 'line', color: '#d62728', strokeWidth: 2, point: { size: 14, color: '#d62728' } }, encoding: { x, y: { ...y, field: 'mean' } } },
    ],
  };
}

/**
 * Final violation rate per cell of a two-way sweep (e.g. threshold x topology); each cell shows
 * the rate and the number of replicates. Axes keep the order in which values first appear.
 */
export function heatmapSpec(heatmap: NonNullable<ReportData['heatmap']>, panel?: string): TopLevelSpec | undefined {
  const values = heatmap.cells
    .filter((c) => finite(c.value) && (panel === undefined || c.panel === panel))
    .map((c) => ({ x: String(c.x), y: String(c.y), value: c.value, n: c.n, text: `${Math.round(c.value * 100)}% (n=${c.n})` }));
  if (values.length === 0) return undefined;
  const xs = [...new Set(values.map((v) => v.x))];
  const ys = [...new Set(values.map((v) => v.y))];
  // Order by first appearance through numeric fields (see the header on sort arrays).
  const rows = values.map((v) => ({ ...v, xi: xs.indexOf(v.x), yi: ys.indexOf(v.y) }));
  return {
    width: Math.min(WIDTH, Math.max(160, xs.length * 130)),
    height: Math.min(420, Math.max(80, ys.length * 40)),
    config: CONFIG,
    data: { values: rows },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: heatmap.xLabel, sort: { field: 'xi', op: 'min' }, axis: { labelAngle: 0, labelLimit: 120 } },
      y: { field: 'y', type: 'ordinal', title: heatmap.yLabel, sort: { field: 'yi', op: 'min' }, axis: { labelLimit: 160 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: 'mean final rate',
            scale: { domain: [0, 1], scheme: 'orangered' },
            legend: { format: '.0%' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'text', type: 'nominal' },
          color: { condition: { test: 'datum.value > 0.55', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/** Where a chart is drawn: its size and, for panels, the x range all panels share. */
interface Frame {
  readonly width: number;
  readonly height: number;
  readonly xMax?: number;
}

/**
 * Exposure-response: P(violate next round | k violating neighbours) with 95% interval whiskers,
 * one line per curve (`labels`: their legend names, default their own labels). Curves are
 * dodged slightly along k so that whiskers do not hide each other.
 */
export function exposureSpec(curves: readonly ExposureCurve[], names?: readonly string[], frame: Frame = { width: WIDTH, height: HEIGHT }): TopLevelSpec | undefined {
  const labels = uniqueLabels(names ? [...names] : curves.map((c) => c.label));
  const values: Array<Record<string, number | string>> = [];
  const used = curves.map((c) => c.points.some((p) => finite(p.k) && finite(p.p) && p.n > 0));
  const usedLabels = labels.filter((_, i) => used[i]);
  const m = usedLabels.length;
  curves.forEach((c, i) => {
    if (!used[i]) return;
    const slot = usedLabels.indexOf(labels[i]);
    const dodge = m > 1 ? (slot - (m - 1) / 2) * Math.min(0.1, 0.5 / m) : 0;
    for (const p of c.points) {
      if (!finite(p.k) || !finite(p.p) || !(p.n > 0)) continue;
      values.push({
        curve: labels[i],
        k: p.k,
        kx: p.k + dodge,
        p: p.p,
        lo: finite(p.lo) ? p.lo : p.p,
        hi: finite(p.hi) ? p.hi : p.p,
        n: p.n,
      });
    }
  });
  if (values.length === 0) return undefined;
  const x = { field: 'kx', type: 'quantitative', title: 'violating neighbours last round (k)', axis: { format: 'd', tickMinStep: 1 }, ...(frame.xMax !== undefined ? { scale: { domain: [-0.3, frame.xMax + 0.3] } } : {}) } as const;
  return {
    width: frame.width,
    height: frame.height,
    config: CONFIG,
    data: { values },
    encoding: {
      x,
      color: { field: 'curve', type: 'nominal', title: 'curve', scale: { domain: usedLabels, scheme: categoryScheme(m) } },
    } as const,
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          y: { field: 'lo', type: 'quantitative', title: frame.xMax === undefined ? 'P(violate next round), pooled over runs and rounds' : 'P(violate next round)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
          y2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'line', point: { size: 30 }, strokeWidth: 2 },
        encoding: { y: { field: 'p', type: 'quantitative' } },
      },
    ],
  };
}

/** Exposure curves grouped by the condition they were pooled from, in order. */
export function exposureGroups(curves: readonly ExposureCurve[]): Array<{ key: string; curves: ExposureCurve[] }> {
  const groups = new Map<string, ExposureCurve[]>();
  for (const c of curves) {
    const key = c.condition ?? c.label;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.entries()].map(([key, list]) => ({ key, curves: list }));
}

const variantName = (c: ExposureCurve) => (c.variant === 'rewarded' ? 'rewarded neighbours only' : 'any violating neighbour');

/**
 * The exposure charts: one chart while its curves are few, else one panel per condition (its
 * curve over any violating neighbour and over rewarded ones), all on the same axes.
 */
export function exposureCharts(curves: readonly ExposureCurve[], conditions: readonly ReportCondition[]): ChartSpec[] {
  const groups = exposureGroups(curves);
  const short = new Map(conditions.map((c, i) => [c.label, shortLabels(conditions)[i]]));
  const curveName = (c: ExposureCurve) => {
    const cond = short.get(c.condition ?? '') ?? c.condition;
    if (c.variant === undefined || cond === undefined) return c.label;
    return groups.length === 1 ? variantName(c) : `${cond} · ${c.variant === 'rewarded' ? 'rewarded' : 'any'}`;
  };
  if (curves.length <= MAX_SERIES) {
    const spec = exposureSpec(curves, curves.map(curveName));
    return spec ? [{ id: 'chart-exposure', spec }] : [];
  }
  const xMax = Math.max(...curves.flatMap((c) => c.points.filter((p) => p.n > 0 && finite(p.k)).map((p) => p.k)), 1);
  const charts: ChartSpec[] = [];
  groups.forEach((g, i) => {
    const spec = exposureSpec(g.curves, g.curves.map(variantName), { width: PANEL_WIDTH, height: PANEL_HEIGHT, xMax });
    if (spec) charts.push({ id: `chart-exposure-p${i + 1}`, spec, caption: short.get(g.key) ?? g.key });
  });
  return charts;
}

/** One heat map, or one per value of a third grid axis (`panelLabel`). */
export function heatmapCharts(heatmap: NonNullable<ReportData['heatmap']>): ChartSpec[] {
  const panels = [...new Set(heatmap.cells.map((c) => c.panel).filter((p): p is string => p !== undefined))];
  if (heatmap.panelLabel === undefined || panels.length === 0) {
    const spec = heatmapSpec(heatmap);
    return spec ? [{ id: 'chart-heatmap', spec }] : [];
  }
  return panels.flatMap((panel, i) => {
    const spec = heatmapSpec(heatmap, panel);
    return spec ? [{ id: `chart-heatmap-p${i + 1}`, spec, caption: `${heatmap.panelLabel}=${panel}` }] : [];
  });
}

/** One number per round of a single run (mean capital, Gini, invalid replies) as a line or bars. */
export function roundSeriesSpec(rounds: readonly RunDetailRound[], field: 'meanCapital' | 'gini' | 'invalid', title: string): TopLevelSpec | undefined {
  const values = rounds.filter((r) => finite(r[field])).map((r) => ({ round: r.round, value: r[field] as number }));
  if (values.length === 0) return undefined;
  const most = Math.max(1, ...values.map((v) => v.value));
  const y = { field: 'value', type: 'quantitative', title, ...(field === 'gini' ? { scale: { domain: [0, 1] } } : {}), ...(field === 'invalid' ? { scale: { domain: [0, most] }, axis: { format: 'd', tickMinStep: 1 } } : {}) } as const;
  return {
    width: PANEL_WIDTH + 60,
    height: PANEL_HEIGHT + 20,
    config: CONFIG,
    data: { values },
    mark: field === 'invalid' ? { type: 'bar', color: '#8c6d31', width: { band: 0.7 } } : { type: 'line', point: { size: 18 }, strokeWidth: 2, color: field === 'gini' ? '#9467bd' : '#2ca02c' },
    encoding: { x: field === 'invalid' ? { field: 'round', type: 'ordinal', title: 'round', axis: { labelAngle: 0 } } : ROUND_X, y },
  };
}

/** The charts a report has, in page order; absent data gives no chart. */
export function reportCharts(data: ReportData): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const push = (id: string, spec: TopLevelSpec | undefined, caption?: string) => {
    if (spec) charts.push({ id, spec, ...(caption !== undefined ? { caption } : {}) });
  };
  const avg: Averaging = { over: data.kind === 'run' ? 'agents' : 'replicates' };
  const labels = shortLabels(data.conditions);
  for (const metric of ['violation', 'success'] as const) {
    if (data.conditions.length <= MAX_SERIES) push(`chart-${metric}`, diffusionSpec(data.conditions, metric, avg));
    else data.conditions.forEach((_, i) => push(`chart-${metric}-p${i + 1}`, diffusionPanelSpec(data.conditions, i, metric), labels[i]));
  }
  if (data.heatmap) charts.push(...heatmapCharts(data.heatmap));
  charts.push(...exposureCharts(data.exposure, data.conditions));
  const rounds = data.runDetail?.rounds ?? [];
  push('chart-capital', roundSeriesSpec(rounds, 'meanCapital', 'mean capital of the agents'));
  push('chart-gini', roundSeriesSpec(rounds, 'gini', 'Gini coefficient of capital'));
  if (data.runDetail?.model) push('chart-invalid', roundSeriesSpec(rounds, 'invalid', 'invalid replies'));
  return charts;
}

/** Vega-Lite -> Vega, with Vega-Lite's warnings kept quiet (errors still throw). */
export function compileToVega(spec: TopLevelSpec): object {
  const quiet = {
    level: () => quiet,
    warn: () => quiet,
    info: () => quiet,
    debug: () => quiet,
    error: (...args: readonly unknown[]) => {
      throw new AtpSimError('INTERNAL', `compileToVega: Vega-Lite rejected a report chart: ${args.map(String).join(' ')}`);
    },
  };
  return compile(spec, { logger: quiet }).spec;
}

/**
 * Gives every `id` in an SVG a chart-specific prefix (and rewrites its `url(#...)` references).
 * Vega numbers clip paths and gradients with process-wide counters; without this, two charts on
 * one page could share an id, and the same report rendered twice would differ.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!ids.has(m[1])) ids.set(m[1], `${prefix}-${ids.size + 1}`);
  }
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_, a: string, id: string, b: string) => a + (ids.get(id) ?? id) + b)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : whole))
    .replace(/(href=")#([^"]+)(")/g, (whole, a: string, id: string, b: string) => (ids.has(id) ? `${a}#${ids.get(id)}${b}` : whole));
}

/**
 * Prepares Vega's SVG for inline use in HTML: scopes its ids, marks the root so the page (and
 * tests) can find the charts, and drops the XML namespace declarations, which inline SVG in
 * HTML does not need (so the page holds no URL at all, not even a namespace name).
 */
function finishSvg(svg: string, id: string): string {
  return scopeSvgIds(svg, id).replace(/^<svg ([^>]*)>/, (_, attrs: string) => {
    const kept = attrs.replace(/\s*xmlns(:\w+)?="[^"]*"/g, '').trim();
    return `<svg data-chart="${id}" role="img" ${kept}>`;
  });
}

/** Renders the charts to SVG strings (Vega's asynchronous headless path), in order. */
export async function renderCharts(charts: readonly ChartSpec[]): Promise<string[]> {
  const svgs = await renderVegaSvgs(charts.map((c) => compileToVega(c.spec)));
  return svgs.map((svg, i) => finishSvg(svg, charts[i].id));
}

/** How long the synchronous bridge waits for its worker before giving up. */
const SYNC_TIMEOUT_MS = 120_000;

/**
 * Renders Vega specs to SVG synchronously: the same code as `renderVegaSvgs`, run in a worker
 * thread while this thread blocks on `Atomics.wait` (Vega itself only offers a Promise).
 */
export function renderVegaSvgsSync(vegaSpecs: readonly object[]): string[] {
  if (vegaSpecs.length === 0) return [];
  const flag = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./vega-worker.mjs', import.meta.url), {
    workerData: { specs: vegaSpecs, port: port2, flag },
    transferList: [port2],
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  worker.unref();
  try {
    const waited = Atomics.wait(new Int32Array(flag), 0, 0, SYNC_TIMEOUT_MS);
    const reply = receiveMessageOnPort(port1)?.message as
      | { ok: true; svgs: string[] }
      | { ok: false; message: string }
      | undefined;
    if (!reply) {
      throw new AtpSimError(
        'INTERNAL',
        `renderVegaSvgsSync: the chart worker gave no answer (${waited === 'timed-out' ? `timed out after ${SYNC_TIMEOUT_MS} ms` : 'it stopped early'}); ` +
          'use the asynchronous renderReportAsync to see the underlying error',
      );
    }
    if (!reply.ok) throw new AtpSimError('INTERNAL', `renderVegaSvgsSync: rendering a chart failed: ${reply.message}`);
    return reply.svgs;
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/** Synchronous twin of `renderCharts` (identical output). */
export function renderChartsSync(charts: readonly ChartSpec[]): string[] {
  const svgs = renderVegaSvgsSync(charts.map((c) => compileToVega(c.spec)));
  return svgs.map((svg, i) => finishSvg(svg, charts[i].id));
}
