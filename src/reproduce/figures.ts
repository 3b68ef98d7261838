/**
 * The paper's figures as this reproduction measured them: a rate per round, one line per series
 * (a threshold, or the role-play items), one panel per incentive ratio where there are several,
 * with the published points drawn as crosses at their round. Vega-Lite specs (src/report/charts.ts
 * renders them the way the HTML report does), written as standalone SVG files.
 */
import { compileToVega, scopeSvgIds, type TopLevelSpec } from '../report/charts.ts';
import { renderVegaSvgs } from '../report/vega-render.mjs';

export interface FigurePoint {
  readonly panel: string;
  readonly series: string;
  readonly round: number;
  readonly rate: number;
}

export interface Figure {
  /** File stem: `<id>.svg`. */
  readonly id: string;
  readonly title: string;
  readonly yTitle: string;
  readonly measured: readonly FigurePoint[];
  readonly published: readonly FigurePoint[];
}

const CONFIG = { aria: false, font: 'sans-serif', background: 'white', view: { stroke: '#ddd' }, axis: { gridColor: '#eee' }, legend: { labelLimit: 320 } } as const;

export function figureSpec(f: Figure): TopLevelSpec {
  const values = [...f.measured.map((p) => ({ ...p, kind: 'this reproduction' })), ...f.published.map((p) => ({ ...p, kind: 'published' }))];
  const panels = [...new Set(values.map((v) => v.panel))];
  const x = { field: 'round', type: 'quantitative', title: 'round', axis: { format: 'd', tickMinStep: 1 } } as const;
  const y = { field: 'rate', type: 'quantitative', title: f.yTitle, scale: { domain: [0, 1] }, axis: { format: '.0%' } } as const;
  const color = { field: 'series', type: 'nominal', title: null } as const;
  const layer = [
    { transform: [{ filter: { field: 'kind', equal: 'this reproduction' } }], mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y, color } },
    { transform: [{ filter: { field: 'kind', equal: 'published' } }], mark: { type: 'point', shape: 'cross', size: 120, filled: true }, encoding: { x, y, color } },
  ];
  const spec = { width: 220, height: 200, layer };
  // Built as plain data; the union of Vega-Lite spec types does not narrow from literals.
  return (panels.length > 1
    ? { title: f.title, config: CONFIG, data: { values }, facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels } }, spec }
    : { title: f.title, config: CONFIG, data: { values }, ...spec, width: 420 }) as unknown as TopLevelSpec;
}

/** Standalone SVG files (namespace kept), ids scoped per figure so a rerun writes the same bytes. */
export async function renderFigures(figures: readonly Figure[]): Promise<string[]> {
  const drawable = figures.filter((f) => f.measured.length + f.published.length > 0);
  const svgs = await renderVegaSvgs(drawable.map((f) => compileToVega(figureSpec(f))));
  return svgs.map((svg, i) => scopeSvgIds(svg, drawable[i].id));
}
