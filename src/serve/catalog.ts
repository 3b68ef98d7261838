/**
 * The runs and sweeps under the served folder, for the index page: every run directory
 * (src/sweep.ts findRunDirs) with its status and progress read from its files, and every sweep
 * (a folder with sweep.json) with the count of its cells by status. Read afresh on each request,
 * so runs that start while the server is up appear on the next load.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findRunDirs } from '../sweep.ts';
import { RunWatcher, type RunState } from './live.ts';
import { urlPathOf } from './paths.ts';

export interface RunEntry {
  /** URL path of the run directory relative to the folder (percent-encoded segments). */
  readonly path: string;
  readonly dir: string;
  /** The sweep it belongs to (its URL path), if any. */
  readonly sweep: string | null;
  readonly state: RunState | null;
}

export interface SweepEntry {
  readonly path: string;
  readonly name: string;
  readonly cells: number;
  readonly byStatus: Readonly<Record<string, number>>;
}

export interface Catalog {
  readonly runs: readonly RunEntry[];
  readonly sweeps: readonly SweepEntry[];
}

/** The sweep folder holding `dir` (a sweep keeps its cells in <sweep>/runs/<cell>/), if any. */
function sweepOf(root: string, dir: string): string | null {
  for (let d = dirname(dir); d.length >= root.length; d = dirname(d)) {
    if (existsSync(join(d, 'sweep.json'))) return d;
    if (d === root || dirname(d) === d) break;
  }
  return null;
}

export function readCatalog(root: string): Catalog {
  const runs: RunEntry[] = [];
  const sweeps = new Map<string, { name: string; cells: number; byStatus: Record<string, number> }>();
  // Links are followed only while they stay inside the folder (and a cycle is walked once).
  for (const dir of findRunDirs(root, { within: root })) {
    const watcher = new RunWatcher(dir);
    watcher.poll();
    const state = watcher.state();
    const sweepDir = sweepOf(root, dir);
    if (sweepDir !== null && !sweeps.has(sweepDir)) sweeps.set(sweepDir, { ...sweepHeader(sweepDir), byStatus: {} });
    if (sweepDir !== null) {
      const s = sweeps.get(sweepDir)!;
      const status = state?.status ?? 'unreadable';
      s.byStatus[status] = (s.byStatus[status] ?? 0) + 1;
    }
    runs.push({ path: urlPathOf(root, dir), dir, sweep: sweepDir === null ? null : urlPathOf(root, sweepDir), state });
  }
  return { runs, sweeps: [...sweeps.entries()].map(([dir, s]) => ({ path: urlPathOf(root, dir), ...s })) };
}

function sweepHeader(dir: string): { name: string; cells: number } {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as { name?: unknown; cells?: unknown[] };
    return { name: String(s.name ?? dir), cells: Array.isArray(s.cells) ? s.cells.length : 0 };
  } catch {
    return { name: dir, cells: 0 };
  }
}
