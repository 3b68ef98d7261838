/**
 * Writers for graphology JSON and GEXF 1.2 (for Gephi), straight from the CSR. The output is a
 * pure function of the CSR and the metadata: nodes in agent order, each edge once as (u, v) with
 * u < v in ascending order, fixed attribute order, no dates. So the same spec and seed give
 * byte-identical files. Output comes as chunks so large graphs never build one giant string.
 */
import type { Csr } from '../../core/types.ts';

export type WriteFormat = 'json' | 'gexf';

export interface NetworkMeta {
  /** What the network is, e.g. the canonical spec string. */
  readonly name?: string;
  readonly seed?: number | string;
}

/** Edges per chunk: large enough to keep the chunk count low, small enough to stay light. */
const EDGES_PER_CHUNK = 8192;

export function* edgeLines(csr: Csr, line: (u: number, v: number, id: number) => string): Generator<string> {
  const { offsets, targets } = csr;
  let buf: string[] = [];
  let id = 0;
  for (let u = 0; u < csr.n; u++) {
    for (let p = offsets[u], end = offsets[u + 1]; p < end; p++) {
      const v = targets[p];
      if (v <= u) continue;
      buf.push(line(u, v, id++));
      if (buf.length === EDGES_PER_CHUNK) {
        yield buf.join('');
        buf = [];
      }
    }
  }
  if (buf.length > 0) yield buf.join('');
}

function* nodeLines(csr: Csr, line: (key: string, last: boolean) => string): Generator<string> {
  let buf: string[] = [];
  for (let i = 0; i < csr.n; i++) {
    buf.push(line(csr.keys[i], i === csr.n - 1));
    if (buf.length === EDGES_PER_CHUNK) {
      yield buf.join('');
      buf = [];
    }
  }
  if (buf.length > 0) yield buf.join('');
}

/** graphology JSON, one node or edge per line; `new UndirectedGraph().import(JSON.parse(text))` reads it. */
export function* jsonChunks(csr: Csr, meta: NetworkMeta = {}): Generator<string> {
  const attributes: Record<string, string | number> = {};
  if (meta.name !== undefined) attributes.name = meta.name;
  if (meta.seed !== undefined) attributes.seed = meta.seed;
  yield '{\n';
  yield `  "options": {"type": "undirected", "multi": false, "allowSelfLoops": false},\n`;
  yield `  "attributes": ${JSON.stringify(attributes)},\n`;
  yield '  "nodes": [\n';
  yield* nodeLines(csr, (key, last) => `    {"key": ${JSON.stringify(key)}}${last ? '' : ','}\n`);
  yield '  ],\n  "edges": [';
  let first = true;
  yield* edgeLines(csr, (u, v) => {
    const sep = first ? '\n' : ',\n';
    first = false;
    return `${sep}    {"source": ${JSON.stringify(csr.keys[u])}, "target": ${JSON.stringify(csr.keys[v])}}`;
  });
  yield first ? ']\n}\n' : '\n  ]\n}\n';
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** GEXF 1.2 (the version Gephi and networkx write by default), undirected. */
export function* gexfChunks(csr: Csr, meta: NetworkMeta = {}): Generator<string> {
  const description = [meta.name, meta.seed !== undefined ? `seed ${meta.seed}` : undefined].filter(Boolean).join(', ');
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield '<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n';
  yield '  <meta>\n    <creator>atp-sim</creator>\n';
  if (description) yield `    <description>${escapeXml(description)}</description>\n`;
  yield '  </meta>\n';
  yield '  <graph mode="static" defaultedgetype="undirected">\n';
  yield `    <nodes count="${csr.n}">\n`;
  yield* nodeLines(csr, (key) => `      <node id="${escapeXml(key)}" label="${escapeXml(key)}"/>\n`);
  yield '    </nodes>\n';
  yield `    <edges count="${csr.offsets[csr.n] / 2}">\n`;
  yield* edgeLines(csr, (u, v, id) => `      <edge id="${id}" source="${escapeXml(csr.keys[u])}" target="${escapeXml(csr.keys[v])}"/>\n`);
  yield '    </edges>\n  </graph>\n</gexf>\n';
}

export function networkChunks(csr: Csr, format: WriteFormat, meta: NetworkMeta = {}): Generator<string> {
  return format === 'json' ? jsonChunks(csr, meta) : gexfChunks(csr, meta);
}

/** The whole file as one string (small graphs, tests). */
export function serializeNetwork(csr: Csr, format: WriteFormat, meta: NetworkMeta = {}): string {
  return [...networkChunks(csr, format, meta)].join('');
}
