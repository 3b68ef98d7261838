/**
 * Two-dimensional square lattice, rows × cols, von Neumann neighbourhood (up, down, left,
 * right): the classic spatial setting of evolutionary games on graphs (M. A. Nowak & R. M. May,
 * "Evolutionary games and spatial chaos", Nature 359:826–829, 1992). Agent r·cols + c sits at
 * row r, column c. The torus wraps both directions (every node has degree 4, 2·rows·cols edges);
 * the open grid has rows·(cols-1) + cols·(rows-1) edges.
 */
import { throwIfIssues } from '../../core/errors.ts';
import type { Csr } from '../../core/types.ts';
import { compileCsr, EdgeList } from '../csr.ts';
import { checkEdgeBudget, checkInt, type Issues } from './check.ts';

export interface GridParams {
  readonly rows: number;
  readonly cols: number;
  /** Wrap around both directions (a torus). */
  readonly periodic: boolean;
}

export function gridEdgeCount(p: GridParams): number {
  return p.periodic ? 2 * p.rows * p.cols : p.rows * (p.cols - 1) + p.cols * (p.rows - 1);
}

export function checkGrid(p: GridParams, path = ''): Issues {
  const issues: Issues = [];
  // A torus side of 1 or 2 would wrap onto an existing edge (or the node itself).
  const min = p.periodic ? 3 : 1;
  const fix = p.periodic ? 'a torus needs at least 3 rows and 3 columns' : undefined;
  const ok = [checkInt(issues, path, 'rows', p.rows, min, 2 ** 31, fix), checkInt(issues, path, 'cols', p.cols, min, 2 ** 31, fix)];
  if (ok.every(Boolean)) {
    if (p.rows * p.cols < 2) issues.push({ path, message: 'a 1 × 1 grid has a single agent; a network needs at least 2' });
    checkEdgeBudget(issues, path, gridEdgeCount(p));
  }
  return issues;
}

export function generateGrid(p: GridParams): Csr {
  throwIfIssues(checkGrid(p), 'INVALID_NETWORK', p.periodic ? 'generateTorus' : 'generateGrid');
  const { rows, cols, periodic } = p;
  const edges = new EdgeList(gridEdgeCount(p));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const u = r * cols + c;
      if (c + 1 < cols) edges.push(u, u + 1);
      else if (periodic) edges.push(r * cols, u);
      if (r + 1 < rows) edges.push(u, u + cols);
      else if (periodic) edges.push(c, u);
    }
  }
  return compileCsr(rows * cols, edges);
}
