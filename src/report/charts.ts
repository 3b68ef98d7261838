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
import type { ExposureCurve, ReportCondition, ReportData } from './types.ts';

export type { TopLevelSpec };

/** A chart to render: an id (used to scope SVG ids and as the figure anchor) and its spec. */
export interface ChartSpec {
  readonly id: string;
  readonly spec: TopLevelSpec;
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

/**
 * Labels made unique in order (`a`, `a (2)`, ...): series are keyed by label, so two conditions
 * sharing a label would otherwise be drawn as one line.
 */
export function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(labels);
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    if (count === 1) return label;
    let candidate = `${label} (${count})`;
    while (taken.has(candidate)) candidate = `${candidate}′`;
    taken.add(candidate);
    return candidate;
  });
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Rate per round with its 95% interval band, one line per condition (`metric` picks the
 * violation rate or the group success rate). Undefined when no condition has a finite point.
 */
export function diffusionSpec(
  conditions: readonly ReportCondition[],
  metric: 'violation' | 'success',
): TopLevelSpec | undefined {
  const labels = uniqueLabels(conditions.map((c) => c.label));
  const values: Array<Record<string, number | string>> = [];
  conditions.forEach((c, i) => {
    for (const p of c[metric] ?? []) {
      if (!finite(p.round) || !finite(p.mean)) continue;
      const lo = finite(p.lo) ? p.lo : p.mean;
      const hi = finite(p.hi) ? p.hi : p.mean;
      values.push({ condition: labels[i], round: p.round, mean: p.mean, lo, hi, n: p.n });
    }
  });
  if (values.length === 0) return undefined;
  const usedLabels = labels.filter((l) => values.some((v) => v.condition === l));
  const yTitle = metric === 'violation' ? 'violation rate (share of agents)' : 'group success rate';
  const color = {
    field: 'condition',
    type: 'nominal',
    title: 'condition',
    scale: { domain: usedLabels, scheme: categoryScheme(usedLabels.length) },
    // Legend symbols as solid strokes (they would otherwise take the faint band's opacity).
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2.5, symbolFillColor: 'transparent' },
  } as const;
  const x = { field: 'round', type: 'quantitative', title: 'round', axis: { format: 'd', tickMinStep: 1 } } as const;
  return {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    encoding: { x, color },
    layer: [
      {
        // Bands fade as conditions multiply, so overlapping intervals stay readable.
        mark: { type: 'area', opacity: usedLabels.length <= 3 ? 0.15 : Math.max(0.04, 0.45 / usedLabels.length) },
        encoding: {
          y: { field: 'lo', type: 'quantitative', title: yTitle, scale: { domain: [0, 1] }, axis: { format: '.0%' } },
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

/**
 * Final violation rate per cell of a two-way sweep (e.g. threshold x topology); each cell shows
 * the rate and the number of replicates. Axes keep the order in which values first appear.
 */
export function heatmapSpec(heatmap: NonNullable<ReportData['heatmap']>): TopLevelSpec | undefined {
  const values = heatmap.cells
    .filter((c) => finite(c.value))
    .map((c) => ({ x: String(c.x), y: String(c.y), value: c.value, n: c.n, text: `${Math.round(c.value * 100)}% (n=${c.n})` }));
  if (values.length === 0) return undefined;
  const xs = [...new Set(values.map((v) => v.x))];
  const ys = [...new Set(values.map((v) => v.y))];
  // Order by first appearance through numeric fields (see the header on sort arrays).
  const rows = values.map((v) => ({ ...v, xi: xs.indexOf(v.x), yi: ys.indexOf(v.y) }));
  return {
    width: Math.min(WIDTH, Math.max(160, xs.length * 90)),
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
            title: 'final rate',
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

/**
 * Exposure-response: P(violate next round | k violating neighbours) with 95% interval whiskers,
 * one line per curve. Curves are dodged slightly along k so that whiskers do not hide each other.
 */
export function exposureSpec(curves: readonly ExposureCurve[]): TopLevelSpec | undefined {
  const labels = uniqueLabels(curves.map((c) => c.label));
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
  return {
    width: WIDTH,
    height: HEIGHT,
    config: CONFIG,
    data: { values },
    encoding: {
      x: { field: 'kx', type: 'quantitative', title: 'violating neighbours last round (k)', axis: { format: 'd', tickMinStep: 1 } },
      color: { field: 'curve', type: 'nominal', title: 'curve', scale: { domain: usedLabels, scheme: categoryScheme(m) } },
    } as const,
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: {
          y: { field: 'lo', type: 'quantitative', title: 'P(violate next round)', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
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

/** The charts a report has, in page order; absent data gives no chart. */
export function reportCharts(data: ReportData): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const push = (id: string, spec: TopLevelSpec | undefined) => {
    if (spec) charts.push({ id, spec });
  };
  push('chart-violation', diffusionSpec(data.conditions, 'violation'));
  push('chart-success', diffusionSpec(data.conditions, 'success'));
  if (data.heatmap) push('chart-heatmap', heatmapSpec(data.heatmap));
  push('chart-exposure', exposureSpec(data.exposure));
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
