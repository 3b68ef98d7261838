/**
 * The network drawn at chosen rounds: our own inline SVG (circles and one path of edges), with
 * node positions from layout.ts shared by all snapshots so that rounds can be compared.
 * Colours come from CSS classes in the page (`.nv` violation, `.nc` compliance, `.ni` invalid).
 */
import { escapeHtml, html, trusted, type Markup } from './escape.ts';
import { layoutNetwork } from './layout.ts';
import type { NetworkView } from './types.ts';

export type NodeState = 'violation' | 'compliance' | 'invalid';

export const STATE_CLASS: Readonly<Record<NodeState, string>> = { violation: 'nv', compliance: 'nc', invalid: 'ni' };

/** A node's state from its recorded choice (an option index, or -1 / anything else: invalid). */
export function nodeState(choice: number | undefined, violationIndex: number): NodeState {
  if (choice !== 0 && choice !== 1) return 'invalid';
  return choice === violationIndex ? 'violation' : 'compliance';
}

export interface SnapshotCounts {
  readonly violation: number;
  readonly compliance: number;
  readonly invalid: number;
}

export function countStates(choices: readonly number[], nodes: number, violationIndex: number): SnapshotCounts {
  const counts = { violation: 0, compliance: 0, invalid: 0 };
  for (let i = 0; i < nodes; i++) counts[nodeState(choices[i], violationIndex)]++;
  return counts;
}

const SIZE = 420;
const MARGIN = 12;

/** Rounds to one decimal without a trailing `.0`, keeping the markup short and stable. */
const coord = (x: number) => String(Math.round(x * 10) / 10);

/** Node positions in SVG units for a network view (seeded, deterministic). */
export function networkPositions(view: NetworkView): Float64Array {
  const unit = layoutNetwork(view.nodes, view.edges, { seed: 'atp-sim-report' });
  const inner = SIZE - 2 * MARGIN;
  return unit.map((v) => MARGIN + v * inner);
}

/**
 * One snapshot as an `<svg class="network">`. Every node has a `<title>` (agent index, label,
 * state) for hovering; the text is escaped.
 */
export function networkSnapshotSvg(view: NetworkView, snapshotIndex: number, positions: Float64Array): Markup {
  const snapshot = view.snapshots[snapshotIndex];
  const n = Math.max(0, Math.floor(view.nodes));
  const radius = Math.max(1.5, Math.min(7, 150 / Math.sqrt(Math.max(1, n))));
  const strokeWidth = n > 500 ? 0.3 : n > 100 ? 0.6 : 1;
  let d = '';
  for (const [a, b] of view.edges) {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < n && b < n) || a === b) continue;
    d += `M${coord(positions[2 * a])} ${coord(positions[2 * a + 1])}L${coord(positions[2 * b])} ${coord(positions[2 * b + 1])}`;
  }
  const names = optionNames(view);
  let circles = '';
  for (let i = 0; i < n; i++) {
    const state = nodeState(snapshot.choices[i], view.violationIndex);
    const choice = snapshot.choices[i];
    const what = state === 'invalid' ? 'invalid / no choice' : `${names[choice]} (${state})`;
    const label = view.labels?.[i];
    const title = `agent ${i}${label !== undefined && label !== String(i) ? ` · ${label}` : ''}: ${what}`;
    circles += `<circle class="${STATE_CLASS[state]}" cx="${coord(positions[2 * i])}" cy="${coord(positions[2 * i + 1])}" r="${coord(radius)}"><title>${escapeHtml(title)}</title></circle>`;
  }
  const counts = countStates(snapshot.choices, n, view.violationIndex);
  const summary = `Network at round ${snapshot.round}: ${counts.violation} violating, ${counts.compliance} complying, ${counts.invalid} invalid of ${n} agents`;
  return html`<svg class="network" data-round="${snapshot.round}" role="img" viewBox="0 0 ${SIZE} ${SIZE}" width="${SIZE}" height="${SIZE}"><title>${summary}</title><path class="edges" stroke-width="${strokeWidth}" d="${d}"/>${trusted(circles)}</svg>`;
}

/** The two option names (falling back to "option 0" / "option 1" when missing). */
export function optionNames(view: NetworkView): readonly [string, string] {
  const [a, b] = view.optionNames ?? [];
  return [a ?? 'option 0', b ?? 'option 1'];
}
