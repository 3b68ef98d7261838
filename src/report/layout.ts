/**
 * Deterministic, seeded node positions for drawing a network in the report.
 *
 * Fruchterman & Reingold (1991), "Graph drawing by force-directed placement", Software:
 * Practice and Experience 21(11), with the paper's grid variant for repulsion (only nodes in
 * neighbouring cells of side 2k repel), plus a weak pull toward the centre so that separate
 * components stay in view. Pure arithmetic on a seeded stream: the same graph and seed give
 * the same positions on every run.
 */
import { rngStream } from '../core/rng.ts';

export interface LayoutOptions {
  /** Seed of the initial positions (default 0). */
  readonly seed?: number | string;
  /** Number of iterations (default: more for small graphs, fewer for large ones). */
  readonly iterations?: number;
}

/**
 * Positions of `nodes` nodes in the unit square ([0, 1] x [0, 1], bounding box scaled to fill
 * it), as `[x0, y0, x1, y1, ...]`. Edges with an endpoint out of range and self-loops are
 * ignored; duplicates count once per listing.
 */
export function layoutNetwork(
  nodes: number,
  edges: ReadonlyArray<readonly [number, number]>,
  options: LayoutOptions = {},
): Float64Array {
  const n = Math.max(0, Math.floor(nodes));
  const pos = new Float64Array(2 * n);
  if (n === 0) return pos;
  if (n === 1) {
    pos[0] = 0.5;
    pos[1] = 0.5;
    return pos;
  }
  const valid = edges.filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b) && a !== b && a >= 0 && b >= 0 && a < n && b < n);
  const rng = rngStream(options.seed ?? 0, 'report-layout', n, valid.length);
  for (let i = 0; i < 2 * n; i++) pos[i] = rng();

  const k = Math.sqrt(1 / n); // ideal edge length for unit area
  const k2 = k * k;
  const cell = 2 * k;
  const gravity = 0.05;
  const iterations = options.iterations ?? Math.max(60, Math.min(400, Math.floor(4e5 / (n + valid.length))));
  const disp = new Float64Array(2 * n);
  const cellOf = new Int32Array(n);
  let temperature = 0.1;
  const cooling = temperature / (iterations + 1);

  for (let it = 0; it < iterations; it++) {
    disp.fill(0);
    // Repulsion within neighbouring grid cells (grid variant): k^2 / d.
    const cols = Math.max(1, Math.ceil(1.5 / cell));
    const buckets = new Map<number, number[]>();
    for (let v = 0; v < n; v++) {
      const cx = Math.floor((pos[2 * v] + 0.25) / cell);
      const cy = Math.floor((pos[2 * v + 1] + 0.25) / cell);
      const key = cy * (cols + 2) + cx;
      cellOf[v] = key;
      const bucket = buckets.get(key);
      if (bucket) bucket.push(v);
      else buckets.set(key, [v]);
    }
    for (let v = 0; v < n; v++) {
      const key = cellOf[v];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const bucket = buckets.get(key + dy * (cols + 2) + dx);
          if (!bucket) continue;
          for (const u of bucket) {
            if (u === v) continue;
            let ddx = pos[2 * v] - pos[2 * u];
            let ddy = pos[2 * v + 1] - pos[2 * u + 1];
            let d2 = ddx * ddx + ddy * ddy;
            if (d2 < 1e-12) {
              // Coincident nodes: separate them along a fixed, index-dependent direction.
              ddx = ((v * 7919 + u) % 13) - 6 || 1;
              ddy = ((v * 104729 + u) % 11) - 5 || 1;
              d2 = (ddx * ddx + ddy * ddy) * 1e-8;
              ddx *= 1e-4;
              ddy *= 1e-4;
            }
            if (d2 > cell * cell) continue;
            const f = k2 / d2; // (k^2 / d) / d: force along the unit vector
            disp[2 * v] += ddx * f;
            disp[2 * v + 1] += ddy * f;
          }
        }
      }
    }
    // Attraction along edges: d^2 / k.
    for (const [a, b] of valid) {
      const ddx = pos[2 * a] - pos[2 * b];
      const ddy = pos[2 * a + 1] - pos[2 * b + 1];
      const d = Math.sqrt(ddx * ddx + ddy * ddy);
      const f = d / k; // (d^2 / k) / d
      disp[2 * a] -= ddx * f;
      disp[2 * a + 1] -= ddy * f;
      disp[2 * b] += ddx * f;
      disp[2 * b + 1] += ddy * f;
    }
    // Weak gravity toward the centre, then a step capped by the temperature.
    for (let v = 0; v < n; v++) {
      disp[2 * v] -= gravity * (pos[2 * v] - 0.5) / k;
      disp[2 * v + 1] -= gravity * (pos[2 * v + 1] - 0.5) / k;
      const len = Math.sqrt(disp[2 * v] ** 2 + disp[2 * v + 1] ** 2);
      if (len > 0) {
        const step = Math.min(len, temperature) / len;
        pos[2 * v] = Math.min(1.25, Math.max(-0.25, pos[2 * v] + disp[2 * v] * step));
        pos[2 * v + 1] = Math.min(1.25, Math.max(-0.25, pos[2 * v + 1] + disp[2 * v + 1] * step));
      }
    }
    temperature -= cooling;
  }
  return normalise(pos);
}

/** Scales positions so their bounding box fills [0, 1]^2 (same factor on both axes). */
function normalise(pos: Float64Array): Float64Array {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < pos.length; i += 2) {
    minX = Math.min(minX, pos[i]);
    maxX = Math.max(maxX, pos[i]);
    minY = Math.min(minY, pos[i + 1]);
    maxY = Math.max(maxY, pos[i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY, 1e-9);
  const offX = (1 - (maxX - minX) / span) / 2;
  const offY = (1 - (maxY - minY) / span) / 2;
  for (let i = 0; i < pos.length; i += 2) {
    pos[i] = offX + (pos[i] - minX) / span;
    pos[i + 1] = offY + (pos[i + 1] - minY) / span;
  }
  return pos;
}
