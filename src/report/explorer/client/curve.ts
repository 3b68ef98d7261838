/**
 * The diffusion curve: the share of all agents violating per round (rounds.jsonl, so a sampled
 * view still counts everyone), the chosen run in colour, the other replicates of its condition
 * in grey, and a vertical mark at the round the network shows.
 */
import type { ExplorerSeriesPoint } from '../types.ts';
import { VIOLATION } from './colours.ts';
import { svg } from './dom.ts';

const W = 380;
const H = 210;
const PAD = { left: 44, right: 12, top: 12, bottom: 36 };

export function drawCurve(series: readonly ExplorerSeriesPoint[], others: ReadonlyArray<readonly ExplorerSeriesPoint[]>, round: number, rounds: number): SVGElement {
  const last = Math.max(2, rounds, ...others.map((o) => o.length));
  const x = (r: number) => PAD.left + ((r - 1) / (last - 1)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
  const path = (s: readonly ExplorerSeriesPoint[]) => s.map((p, i) => `${i ? 'L' : 'M'}${x(p.round).toFixed(1)},${y(p.violationRate).toFixed(1)}`).join('');
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': 'violation rate by round', id: 'curve-svg' });
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    root.appendChild(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), stroke: '#e5e5e5' }));
    root.appendChild(svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11 }, `${Math.round(v * 100)}%`));
  }
  const step = Math.max(1, Math.ceil(last / 10));
  for (let r = 1; r <= last; r += step) root.appendChild(svg('text', { x: x(r), y: H - PAD.bottom + 16, 'text-anchor': 'middle', 'font-size': 11 }, String(r)));
  root.appendChild(svg('text', { x: (PAD.left + W - PAD.right) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 12 }, 'round'));
  for (const o of others) if (o.length) root.appendChild(svg('path', { d: path(o), fill: 'none', stroke: '#bbbbbb', 'stroke-width': 1.5, class: 'other' }));
  if (series.length) root.appendChild(svg('path', { d: path(series), fill: 'none', stroke: VIOLATION, 'stroke-width': 2.5, class: 'this-run' }));
  for (const p of series) root.appendChild(svg('circle', { cx: x(p.round), cy: y(p.violationRate), r: p.round === round ? 5 : 2.5, fill: VIOLATION }));
  const at = series.find((p) => p.round === round);
  root.appendChild(svg('line', { id: 'round-marker', 'data-round': round, x1: x(round), x2: x(round), y1: PAD.top, y2: H - PAD.bottom, stroke: '#222', 'stroke-dasharray': '4 3' }));
  if (at) {
    const label = `round ${round}: ${(at.violationRate * 100).toFixed(1)}%`;
    const right = x(round) > W / 2;
    root.appendChild(svg('text', { x: x(round) + (right ? -6 : 6), y: PAD.top + 12, 'text-anchor': right ? 'end' : 'start', 'font-size': 12, id: 'round-value' }, label));
  }
  return root;
}
