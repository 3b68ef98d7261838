/**
 * Deterministic, seeded node positions for drawing a network in the report.
 *
 * Two steps. First a stress layout from graph distances: pivot MDS (Brandes & Pich 2007,
 * "Eigensolver methods for progressive multidimensional scaling of large data", Graph Drawing
 * 2006, LNCS 4372), which places nodes so that straight-line distances follow hop distances to
 * up to 50 pivot nodes; a ring lattice comes out as a ring and a grid as a grid, where forces
 * alone from random positions fold them into a uniform disc. Then a short, cool run of
 * Fruchterman & Reingold (1991), "Graph drawing by force-directed placement", Software:
 * Practice and Experience 21(11), with the paper's grid variant for repulsion (only nodes in
 * neighbouring cells of side 2k repel), plus a weak pull toward the centre so that separate
 * components stay in view, spreads nodes that MDS put on top of each other. Pure arithmetic on
 * a seeded stream: the same graph and seed give the same positions on every run.
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
  const start = pivotMds(n, valid, rng);
  if (start) pos.set(normalise(start));

  // Ideal edge length: for unit area from random positions; from the MDS start, the edges' own
  // mean length there, so that forces only part nodes that sit too close and keep the shape.
  const k = start ? Math.min(Math.sqrt(1 / n), meanEdgeLength(pos, valid)) : Math.sqrt(1 / n);
  const k2 = k * k;
  const cell = 2 * k;
  const gravity = start ? 0 : 0.05;
  const iterations = options.iterations ?? (start ? 30 : Math.max(60, Math.min(400, Math.floor(4e5 / (n + valid.length)))));
  const disp = new Float64Array(2 * n);
  const cellOf = new Int32Array(n);
  // From the MDS start, a cool run only tidies; from random positions it has to fold the graph out.
  let temperature = start ? k / 4 : 0.1;
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

function meanEdgeLength(pos: Float64Array, edges: ReadonlyArray<readonly [number, number]>): number {
  let sum = 0;
  for (const [a, b] of edges) sum += Math.hypot(pos[2 * a] - pos[2 * b], pos[2 * a + 1] - pos[2 * b + 1]);
  return Math.max(1e-3, sum / edges.length);
}

const PIVOTS = 50;

/** Hop distances from `source` (-1: unreachable). */
function bfs(n: number, adj: readonly number[][], source: number): Int32Array {
  const dist = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  dist[source] = 0;
  queue[tail++] = source;
  while (head < tail) {
    const v = queue[head++];
    for (const u of adj[v]) {
      if (dist[u] >= 0) continue;
      dist[u] = dist[v] + 1;
      queue[tail++] = u;
    }
  }
  return dist;
}

/**
 * Pivot MDS positions (`[x0, y0, ...]`, unscaled), or null when the graph gives no spread (no
 * edges, or fewer than three nodes). Pivots are chosen far apart (each the node farthest from
 * those chosen so far, starting from a seeded one); unreachable pairs count as one hop further
 * than the farthest reachable pair.
 */
function pivotMds(n: number, edges: ReadonlyArray<readonly [number, number]>, rng: () => number): Float64Array | null {
  if (n < 3 || edges.length === 0) return null;
  const adj: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    adj[a].push(b);
    adj[b].push(a);
  }
  const k = Math.min(n, PIVOTS);
  const cols: Int32Array[] = [];
  const nearest = new Float64Array(n).fill(Infinity);
  let pivot = Math.floor(rng() * n);
  for (let j = 0; j < k; j++) {
    const d = bfs(n, adj, pivot);
    cols.push(d);
    let far = -1;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], d[i] < 0 ? Infinity : d[i]);
      if (far < 0 || nearest[i] > nearest[far]) far = i;
    }
    if (nearest[far] === 0) break; // every node is a pivot
    pivot = far;
  }
  let maxD = 0;
  for (const d of cols) for (let i = 0; i < n; i++) maxD = Math.max(maxD, d[i]);
  const m = cols.length;
  // Double-centred squared distances, n x m, row-major.
  const c = new Float64Array(n * m);
  const colMean = new Float64Array(m);
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const d = cols[j][i] < 0 ? maxD + 1 : cols[j][i];
      const d2 = d * d;
      c[i * m + j] = d2;
      colMean[j] += d2 / n;
      rowMean[i] += d2 / m;
      all += d2 / (n * m);
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) c[i * m + j] = -0.5 * (c[i * m + j] - rowMean[i] - colMean[j] + all);
  // The two leading eigenvectors of C^T C (m x m) by power iteration with deflation.
  const ctc = new Float64Array(m * m);
  for (let i = 0; i < n; i++) for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) ctc[a * m + b] += c[i * m + a] * c[i * m + b];
  const vectors: Float64Array[] = [];
  for (let e = 0; e < 2; e++) {
    let v = Float64Array.from({ length: m }, () => rng() - 0.5);
    for (let it = 0; it < 200; it++) {
      const w = new Float64Array(m);
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) w[a] += ctc[a * m + b] * v[b];
      for (const u of vectors) {
        let dot = 0;
        for (let a = 0; a < m; a++) dot += w[a] * u[a];
        for (let a = 0; a < m; a++) w[a] -= dot * u[a];
      }
      const norm = Math.hypot(...w);
      if (!(norm > 1e-12)) return null;
      v = w.map((x) => x / norm);
    }
    vectors.push(v);
  }
  const pos = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < m; a++) {
      pos[2 * i] += c[i * m + a] * vectors[0][a];
      pos[2 * i + 1] += c[i * m + a] * vectors[1][a];
    }
  }
  return pos;
}
