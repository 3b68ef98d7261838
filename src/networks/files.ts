/**
 * Reading network files (graphology JSON, networkx node-link JSON, GEXF, GraphML, CSV/TSV/whitespace edge lists) and
 * writing JSON or GEXF atomically. The parsing itself is pure (`parseNetworkText`); this module
 * adds the file system.
 *
 * Agents are numbered in the order nodes appear in the file (see assemble.ts), so a file fixes
 * which agent sits on which node: agent i is node keys[i], recorded as `node` in decisions.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { AtpSimError, throwIfIssues, type Issue } from '../core/errors.ts';
import { fileError } from '../io/files.ts';
import type { Csr } from '../core/types.ts';
import { assembleNetwork, type Assembled, type DirectedPolicy, type RawGraph } from './assemble.ts';
import { readEdgeList } from './formats/edgelist.ts';
import { readGraphologyJson } from './formats/json.ts';
import { isNodeLink, readNodeLink } from './formats/node-link.ts';
import { networkChunks, type NetworkMeta, type WriteFormat } from './formats/write.ts';
import { GEXF, GRAPHML, readXmlGraph } from './formats/xml-graph.ts';
import { binaryIssue } from './formats/text.ts';
import type { NetworkFormat } from './spec.ts';

const EXTENSIONS: Readonly<Record<string, NetworkFormat>> = {
  '.json': 'json',
  '.gexf': 'gexf',
  '.graphml': 'graphml',
  '.xml': 'graphml',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.txt': 'edgelist',
  '.edges': 'edgelist',
  '.edgelist': 'edgelist',
};

export function formatFromPath(path: string): NetworkFormat | undefined {
  return EXTENSIONS[extname(path).toLowerCase()];
}

export interface LoadOptions {
  readonly format?: NetworkFormat;
  readonly directed?: DirectedPolicy;
  /** How messages name the file (default: the path read). */
  readonly name?: string;
}

export interface LoadedNetwork {
  readonly csr: Csr;
  readonly warnings: string[];
}

/** A .json network: networkx node-link data, else graphology's format (which reports bad JSON). */
function readJsonGraph(text: string, source: string): { raw: RawGraph | null; issues: Issue[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  return isNodeLink(doc) ? readNodeLink(doc as Record<string, unknown>, source) : readGraphologyJson(text, source);
}

/** Parses file content; `source` names the file in every issue (`karate.csv:12`). */
export function parseNetworkText(text: string, format: NetworkFormat, source: string, directed: DirectedPolicy = 'error'): Assembled {
  const binary = binaryIssue(text, source);
  if (binary) return { csr: null, issues: [binary], warnings: [] };
  let read: { raw: RawGraph | null; issues: Issue[]; warnings?: string[] };
  switch (format) {
    case 'json':
      read = readJsonGraph(text, source);
      break;
    case 'gexf':
      read = readXmlGraph(text, source, GEXF);
      break;
    case 'graphml':
      read = readXmlGraph(text, source, GRAPHML);
      break;
    case 'csv':
      read = readEdgeList(text, source, 'comma', directed);
      break;
    case 'tsv':
      read = readEdgeList(text, source, 'tab', directed);
      break;
    case 'edgelist':
      read = readEdgeList(text, source, 'whitespace', directed);
      break;
  }
  if (read.raw === null) return { csr: null, issues: read.issues, warnings: read.warnings ?? [] };
  const assembled = assembleNetwork(read.raw, directed, source);
  return read.warnings?.length ? { ...assembled, warnings: [...read.warnings, ...assembled.warnings] } : assembled;
}

/** Reads and validates a network file; throws FILE_NOT_FOUND or INVALID_NETWORK (all problems listed). */
export function loadNetworkFile(path: string, options: LoadOptions = {}): LoadedNetwork {
  const name = options.name ?? path;
  const format = options.format ?? formatFromPath(path);
  if (format === undefined) {
    throw new AtpSimError(
      'INVALID_NETWORK',
      `${name}: cannot tell the network format from the extension ${JSON.stringify(extname(path))}; ` +
        `use .json, .gexf, .graphml, .csv, .tsv or .txt, or give format in the spec`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `no such file (looked for ${path})` : `cannot read it (${code ?? (err as Error).message})`;
    throw new AtpSimError(code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_NETWORK', `network file ${name}: ${why}`, [], {
      cause: err,
    });
  }
  const { csr, issues, warnings } = parseNetworkText(text, format, name, options.directed ?? 'error');
  throwIfIssues(issues, 'INVALID_NETWORK', `network file ${name}`);
  return { csr: csr as Csr, warnings };
}

/** Writes chunks to a temporary file beside `path`, then renames it: no half-written file. */
export function writeFileAtomic(path: string, chunks: Iterable<string>): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(temp, 'w');
  } catch (err) {
    throw fileError(err, 'output file', path); // one line naming --out, not errno jargon
  }
  try {
    for (const chunk of chunks) {
      const bytes = Buffer.from(chunk, 'utf8');
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temp, { force: true });
    throw fileError(err, 'output file', path);
  }
}

export function writeNetworkFile(path: string, csr: Csr, options: { format?: WriteFormat; meta?: NetworkMeta } = {}): void {
  const guessed = formatFromPath(path);
  const format = options.format ?? (guessed === 'json' || guessed === 'gexf' ? guessed : undefined);
  if (format === undefined) {
    throw new AtpSimError('INVALID_ARGUMENT', `${path}: networks are written as .json (graphology) or .gexf (Gephi); got ${JSON.stringify(extname(path))}`);
  }
  writeFileAtomic(path, networkChunks(csr, format, options.meta));
}
