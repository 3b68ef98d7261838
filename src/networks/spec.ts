/**
 * Network specs: the `network:` section of a scenario, or a compact string on the command line
 * (`watts-strogatz:n=100,k=4,beta=0.1`, `ba:n=1000,m=5`, `karate`, `file:networks/x.csv`).
 *
 * Parsing reports every problem at once, each with its dotted path and a fix, and returns a
 * resolved spec: `n` filled in from the population size, model parameters derived from
 * `meanDegree` (so topologies can be compared at equal density), aliases replaced by the
 * canonical kind. Parsing a resolved spec again gives the same spec.
 */
import { describeValue, type Issue } from '../core/errors.ts';
import type { DirectedPolicy } from './assemble.ts';
import { checkBarabasiAlbert } from './generators/barabasi-albert.ts';
import { checkCaveman } from './generators/caveman.ts';
import { checkComplete } from './generators/complete.ts';
import { checkErdosRenyi } from './generators/erdos-renyi.ts';
import { checkGrid } from './generators/grid.ts';
import { checkRandomRegular } from './generators/random-regular.ts';
import { checkRing } from './generators/ring.ts';
import { checkSbm } from './generators/sbm.ts';
import { checkStar } from './generators/star.ts';
import { checkWattsStrogatz } from './generators/watts-strogatz.ts';
import { checkInlineGraph } from './inline-graph.ts';

export const NETWORK_FORMATS = ['json', 'gexf', 'graphml', 'csv', 'tsv', 'edgelist'] as const;
export type NetworkFormat = (typeof NETWORK_FORMATS)[number];

export type NetworkSpec =
  | { readonly kind: 'complete'; readonly n?: number }
  | { readonly kind: 'ring'; readonly n?: number; readonly k?: number; readonly meanDegree?: number }
  | {
      readonly kind: 'watts-strogatz';
      readonly n?: number;
      readonly k?: number;
      readonly beta: number;
      readonly meanDegree?: number;
    }
  | { readonly kind: 'barabasi-albert'; readonly n?: number; readonly m?: number; readonly meanDegree?: number }
  | { readonly kind: 'erdos-renyi'; readonly n?: number; readonly p?: number; readonly meanDegree?: number }
  | {
      readonly kind: 'sbm';
      readonly n?: number;
      /** Block sizes in agent order; or give `blocks` to split n into near-equal blocks. */
      readonly sizes?: readonly number[];
      readonly blocks?: number;
      readonly pIn: number;
      readonly pOut: number;
    }
  | { readonly kind: 'random-regular'; readonly n?: number; readonly d?: number; readonly meanDegree?: number }
  | { readonly kind: 'grid'; readonly n?: number; readonly rows?: number; readonly cols?: number }
  | { readonly kind: 'torus'; readonly n?: number; readonly rows?: number; readonly cols?: number }
  | { readonly kind: 'star'; readonly n?: number }
  | {
      readonly kind: 'caveman';
      readonly n?: number;
      readonly cliques?: number;
      readonly cliqueSize?: number;
      readonly meanDegree?: number;
    }
  | { readonly kind: 'karate'; readonly n?: number }
  | { readonly kind: 'florentine'; readonly n?: number }
  | {
      /** A graph given as data (a graphology Graph passed to the library becomes one; see inline-graph.ts). */
      readonly kind: 'graph';
      readonly n?: number;
      readonly nodes: readonly string[];
      readonly edges: readonly (readonly [string, string])[];
    }
  | {
      readonly kind: 'file';
      /** Relative to the scenario file's folder (or the working directory on the CLI). */
      readonly path: string;
      /** Default: from the extension. */
      readonly format?: NetworkFormat;
      /** Directed edges are an error unless 'symmetrize' (each becomes mutual observation). */
      readonly directed?: DirectedPolicy;
    };

export type NetworkKind = NetworkSpec['kind'];

export interface SpecContext {
  /** Number of agents; the default for `n` and checked against it. */
  readonly populationSize?: number;
  /** Told of every field read and how (the schema generator, scenarios/schema/, listens). */
  readonly observe?: FieldObserver;
}

export type FieldObserver = (field: string, as: 'number' | 'numbers' | 'text' | 'choice', choices?: readonly string[]) => void;

export interface ParsedSpec {
  readonly spec: NetworkSpec | null;
  readonly issues: Issue[];
}

/** Fields each kind accepts, in the order the canonical string form writes them. */
export const NETWORK_FIELDS: { readonly [K in NetworkKind]: readonly string[] } = {
  complete: ['n'],
  ring: ['n', 'k', 'meanDegree'],
  'watts-strogatz': ['n', 'k', 'beta', 'meanDegree'],
  'barabasi-albert': ['n', 'm', 'meanDegree'],
  'erdos-renyi': ['n', 'p', 'meanDegree'],
  sbm: ['n', 'sizes', 'blocks', 'pIn', 'pOut'],
  'random-regular': ['n', 'd', 'meanDegree'],
  grid: ['n', 'rows', 'cols'],
  torus: ['n', 'rows', 'cols'],
  star: ['n'],
  caveman: ['n', 'cliques', 'cliqueSize', 'meanDegree'],
  karate: ['n'],
  florentine: ['n'],
  graph: ['n', 'nodes', 'edges'],
  file: ['path', 'format', 'directed'],
};

export const NETWORK_KINDS = Object.keys(NETWORK_FIELDS) as NetworkKind[];

export const NETWORK_ALIASES: Readonly<Record<string, NetworkKind>> = {
  'ring-lattice': 'ring',
  lattice: 'ring',
  ws: 'watts-strogatz',
  'small-world': 'watts-strogatz',
  ba: 'barabasi-albert',
  'scale-free': 'barabasi-albert',
  er: 'erdos-renyi',
  gnp: 'erdos-renyi',
  random: 'erdos-renyi',
  'stochastic-block-model': 'sbm',
  regular: 'random-regular',
  'connected-caveman': 'caveman',
  'karate-club': 'karate',
  'florentine-families': 'florentine',
};

/** Nodes of the two classic social graphs as graphology-generators ships them. */
export const FIXED_SIZES: Readonly<Partial<Record<NetworkKind, number>>> = { karate: 34, florentine: 15 };

/** snake_case and lower-case spellings accepted in the string form, and suggested elsewhere. */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  mean_degree: 'meanDegree',
  meandegree: 'meanDegree',
  p_in: 'pIn',
  pin: 'pIn',
  p_out: 'pOut',
  pout: 'pOut',
  clique_size: 'cliqueSize',
  cliquesize: 'cliqueSize',
};

const DIRECTED_POLICIES: readonly DirectedPolicy[] = ['error', 'symmetrize'];

function at(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Character bigrams of a word, lower-cased, separators dropped, padded at both ends. */
function bigrams(word: string): string[] {
  const w = `^${word.toLowerCase().replace(/[-_\s]/g, '')}$`;
  return Array.from({ length: w.length - 1 }, (_, i) => w.slice(i, i + 2));
}

/** Dice similarity of bigram multisets: 1 for the same word up to case and separators. */
function similarity(a: string, b: string): number {
  const x = bigrams(a);
  const pool = bigrams(b);
  const total = x.length + pool.length;
  let shared = 0;
  for (const g of x) {
    const at = pool.indexOf(g);
    if (at >= 0) {
      shared++;
      pool.splice(at, 1);
    }
  }
  return (2 * shared) / total;
}

/** The closest choice to a misspelt word, when one is close enough to be meant. */
function suggest(word: string, choices: readonly string[]): string | undefined {
  const alias = FIELD_ALIASES[word] ?? FIELD_ALIASES[word.toLowerCase()];
  if (alias && choices.includes(alias)) return alias;
  let best: string | undefined;
  let bestScore = 0.4;
  for (const c of choices) {
    const score = similarity(word, c);
    if (score > bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

export function normalizeKind(kind: string): NetworkKind | undefined {
  const k = kind.trim().toLowerCase();
  if ((NETWORK_KINDS as string[]).includes(k)) return k as NetworkKind;
  return NETWORK_ALIASES[k];
}

/** Reads one field of the raw object with a type check, recording problems. */
class FieldReader {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly path: string,
    readonly issues: Issue[],
    private readonly observe?: FieldObserver,
  ) {}

  has(field: string): boolean {
    return this.raw[field] !== undefined;
  }

  /** The field's value when it is a number, without recording anything. */
  peek(field: string): number | undefined {
    const v = this.raw[field];
    return typeof v === 'number' ? v : undefined;
  }

  /** Sum of a list of numbers, without recording anything. */
  peekSum(field: string): number | undefined {
    const v = this.raw[field];
    return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]).reduce((a, b) => a + b, 0) : undefined;
  }

  number(field: string): number | undefined {
    this.observe?.(field, 'number');
    const v = this.raw[field];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    this.issues.push({ path: at(this.path, field), message: `must be a number; got ${describeValue(v)}` });
    return undefined;
  }

  /** A number the model cannot do without. */
  required(field: string, what: string): number | undefined {
    if (!this.has(field)) {
      this.issues.push({ path: at(this.path, field), message: `missing; ${what}` });
      return undefined;
    }
    return this.number(field);
  }

  numberList(field: string): number[] | undefined {
    this.observe?.(field, 'numbers');
    const v = this.raw[field];
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x))) return v as number[];
    this.issues.push({ path: at(this.path, field), message: `must be a list of numbers; got ${describeValue(v)}`, fix: 'e.g. [50, 50]' });
    return undefined;
  }

  text(field: string, example: string): string | undefined {
    this.observe?.(field, 'text');
    const v = this.raw[field];
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.issues.push({ path: at(this.path, field), message: `must be a non-empty string; got ${describeValue(v)}`, fix: example });
    return undefined;
  }

  choice<T extends string>(field: string, choices: readonly T[]): T | undefined {
    this.observe?.(field, 'choice', choices);
    const v = this.raw[field];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    this.issues.push({ path: at(this.path, field), message: `must be one of ${choices.join(', ')}; got ${describeValue(v)}` });
    return undefined;
  }

  problem(field: string, message: string, fix?: string): void {
    this.issues.push({ path: at(this.path, field), message, fix });
  }
}

/**
 * Resolves a model parameter given directly or through `meanDegree`. `derive` maps a mean degree
 * to the parameter, or returns a message saying why that mean degree is not reachable (or
 * undefined when it cannot tell because n is unknown, which is reported elsewhere).
 */
function viaMeanDegree(
  r: FieldReader,
  param: string,
  derive: (meanDegree: number) => number | string | undefined,
  what: string,
): number | undefined {
  const direct = r.number(param);
  const mean = r.number('meanDegree');
  if (!r.has(param) && !r.has('meanDegree')) {
    r.problem(param, `missing; ${what}`, `give ${param} or meanDegree`);
    return undefined;
  }
  if (mean === undefined) return direct;
  const derived = derive(mean);
  if (derived === undefined) return undefined;
  if (typeof derived === 'string') {
    r.problem('meanDegree', derived);
    return undefined;
  }
  if (direct !== undefined && direct !== derived) {
    r.problem(param, `${param} = ${direct} disagrees with meanDegree = ${mean} (which gives ${param} = ${derived})`, `give ${param} or meanDegree, not both`);
    return undefined;
  }
  return derived;
}

/**
 * Node count: explicit n, else the population size, else what the model's own parameters imply
 * (block sizes, rows × cols, cliques × cliqueSize); n and the population must agree.
 */
function resolveN(r: FieldReader, path: string, ctx: SpecContext, fixed?: number, implied?: number): number | undefined {
  const n = r.number('n');
  const pop = ctx.populationSize;
  if (n !== undefined && pop !== undefined && n !== pop) {
    r.problem('n', `the network has ${n} nodes but the population has ${pop} agents`, 'make them equal, or leave n out');
    return undefined;
  }
  if (fixed !== undefined) {
    const given = n ?? pop;
    if (given !== undefined && given !== fixed) {
      r.issues.push({
        path: r.has('n') ? at(path, 'n') : path,
        message: `this network has ${fixed} nodes but ${r.has('n') ? 'n is' : 'the population has'} ${given}`,
        fix: `set the population size to ${fixed}, or choose another network`,
      });
      return undefined;
    }
    return fixed;
  }
  if (n === undefined && pop === undefined) {
    if (implied !== undefined) return implied;
    if (!r.has('n')) r.problem('n', 'missing; the number of nodes', 'give n, or set the population size');
    return undefined;
  }
  return n ?? pop;
}

function evenDegree(what: string, mean: number): number | string {
  if (Number.isInteger(mean) && mean % 2 === 0) return mean;
  const lo = Math.max(2, 2 * Math.floor(mean / 2));
  return `${what} has an even degree; a mean degree of ${mean} is not reachable: use ${lo} or ${lo + 2}`;
}

function gridShape(r: FieldReader, n: number | undefined): { rows: number; cols: number } | undefined {
  const rows = r.number('rows');
  const cols = r.number('cols');
  if (rows !== undefined && cols !== undefined) {
    if (n !== undefined && rows * cols !== n) {
      r.problem('rows', `rows × cols = ${rows * cols} but the network needs ${n} nodes`, 'make rows × cols equal the population size');
      return undefined;
    }
    return { rows, cols };
  }
  if (r.has('rows') !== r.has('cols') && (rows !== undefined || cols !== undefined) && n !== undefined) {
    const side = (rows ?? cols) as number;
    const other = n / side;
    if (!Number.isInteger(other)) {
      r.problem(rows !== undefined ? 'rows' : 'cols', `${side} does not divide n = ${n}`, 'give both rows and cols');
      return undefined;
    }
    return rows !== undefined ? { rows, cols: other } : { rows: other, cols: side };
  }
  if (!r.has('rows') && !r.has('cols') && n !== undefined) {
    const side = Math.round(Math.sqrt(n));
    if (side * side === n) return { rows: side, cols: side };
    r.problem('rows', `missing; n = ${n} is not a perfect square, so the grid shape is not implied`, 'give rows and cols');
  }
  return undefined;
}

function nearEqualSizes(n: number, blocks: number): number[] {
  const base = Math.floor(n / blocks);
  return Array.from({ length: blocks }, (_, i) => base + (i < n % blocks ? 1 : 0));
}

/** Checks the raw fields of one kind and returns the resolved spec (null when anything is wrong). */
function resolveKind(kind: NetworkKind, r: FieldReader, path: string, ctx: SpecContext): NetworkSpec | null {
  const issuesBefore = r.issues.length;
  const ok = () => r.issues.length === issuesBefore;
  const check = (found: Issue[]) => {
    r.issues.push(...found);
    return ok();
  };
  const mean = r.number('meanDegree');
  const withMean = <T extends object>(spec: T): T => (mean === undefined ? spec : { ...spec, meanDegree: mean });

  if (kind === 'file') {
    const file = r.text('path', 'e.g. path: networks/karate.json');
    const p = r.choice('format', NETWORK_FORMATS);
    const directed = r.choice('directed', DIRECTED_POLICIES);
    if (file === undefined || !ok()) return null;
    return { kind, path: file, ...(p ? { format: p } : {}), ...(directed ? { directed } : {}) };
  }
  if (kind === 'graph') {
    const { graph, issues } = checkInlineGraph(r.raw.nodes, r.raw.edges, path);
    if (!check(issues) || !graph) return null;
    const n = resolveN(r, path, ctx, graph.nodes.length);
    return n === undefined || !ok() ? null : { kind, n, ...graph };
  }

  const product = (a: string, b: string) => {
    const x = r.peek(a);
    const y = r.peek(b);
    return x !== undefined && y !== undefined ? x * y : undefined;
  };
  const implied =
    kind === 'sbm'
      ? r.peekSum('sizes')
      : kind === 'grid' || kind === 'torus'
        ? product('rows', 'cols')
        : kind === 'caveman'
          ? product('cliques', 'cliqueSize')
          : undefined;
  const n = resolveN(r, path, ctx, FIXED_SIZES[kind], implied);
  switch (kind) {
    case 'karate':
    case 'florentine':
      return ok() && n !== undefined ? { kind, n } : null;
    case 'complete':
    case 'star': {
      if (n === undefined || !ok()) return null;
      return check(kind === 'complete' ? checkComplete({ n }, path) : checkStar({ n }, path)) ? { kind, n } : null;
    }
    case 'ring':
    case 'watts-strogatz': {
      const what = kind === 'ring' ? 'a ring lattice' : 'the Watts–Strogatz ring';
      const k = viaMeanDegree(r, 'k', (d) => evenDegree(what, d), 'the degree of every node before rewiring (even)');
      const beta = kind === 'watts-strogatz' ? r.required('beta', 'the rewiring probability, e.g. beta: 0.1') : 0;
      if (n === undefined || k === undefined || beta === undefined || !ok()) return null;
      if (kind === 'ring') return check(checkRing({ n, k }, path)) ? withMean({ kind, n, k }) : null;
      return check(checkWattsStrogatz({ n, k, beta }, path)) ? withMean({ kind, n, k, beta }) : null;
    }
    case 'barabasi-albert': {
      const m = viaMeanDegree(
        r,
        'm',
        (d) =>
          Number.isInteger(d / 2) && d >= 2
            ? d / 2
            : `a Barabási–Albert graph has mean degree about 2m, so it must be an even number >= 2; got ${d}`,
        'the number of edges each new node brings (mean degree about 2m)',
      );
      if (n === undefined || m === undefined || !ok()) return null;
      return check(checkBarabasiAlbert({ n, m }, path)) ? withMean({ kind, n, m }) : null;
    }
    case 'erdos-renyi': {
      const p = viaMeanDegree(
        r,
        'p',
        (d) =>
          n === undefined
            ? undefined
            : d >= 0 && d <= n - 1
              ? d / (n - 1)
              : `must be in [0, n - 1] = [0, ${n - 1}] for n = ${n}; got ${d}`,
        'the probability of each possible edge (mean degree p·(n-1))',
      );
      if (n === undefined || p === undefined || !ok()) return null;
      return check(checkErdosRenyi({ n, p }, path)) ? withMean({ kind, n, p }) : null;
    }
    case 'random-regular': {
      const d = viaMeanDegree(r, 'd', (x) => x, 'the degree of every node');
      if (n === undefined || d === undefined || !ok()) return null;
      return check(checkRandomRegular({ n, d }, path)) ? withMean({ kind, n, d }) : null;
    }
    case 'grid':
    case 'torus': {
      const shape = gridShape(r, n);
      if (shape === undefined || !ok()) return null;
      if (!check(checkGrid({ ...shape, periodic: kind === 'torus' }, path))) return null;
      return { kind, n: shape.rows * shape.cols, ...shape };
    }
    case 'caveman': {
      let cliques = r.number('cliques');
      const impliedByCliques = !r.has('cliqueSize') && !r.has('meanDegree') && cliques !== undefined;
      const cliqueSize = impliedByCliques
        ? n === undefined
          ? undefined
          : n / (cliques as number)
        : viaMeanDegree(
            r,
            'cliqueSize',
            (d) => (Number.isInteger(d) ? d + 1 : `a connected caveman graph has mean degree cliqueSize - 1, a whole number; got ${d}`),
            'the number of agents in each clique',
          );
      if (n === undefined || cliqueSize === undefined || !ok()) return null;
      cliques ??= n / cliqueSize;
      if (cliques * cliqueSize !== n || !Number.isInteger(cliques) || !Number.isInteger(cliqueSize)) {
        r.problem('cliqueSize', `${cliques} cliques of ${cliqueSize} agents do not make n = ${n}`, 'choose a clique size that divides n');
        return null;
      }
      return check(checkCaveman({ cliques, cliqueSize }, path)) ? withMean({ kind, n, cliques, cliqueSize }) : null;
    }
    case 'sbm': {
      const listed = r.numberList('sizes');
      const blocks = r.number('blocks');
      const pIn = r.required('pIn', 'the edge probability inside a block');
      const pOut = r.required('pOut', 'the edge probability across blocks');
      let sizes = listed;
      if (r.has('sizes') && r.has('blocks')) r.problem('blocks', 'give sizes or blocks, not both');
      else if (!r.has('sizes') && !r.has('blocks')) r.problem('sizes', 'missing; the block sizes', 'e.g. sizes: [50, 50], or blocks: 2');
      else if (blocks !== undefined && n !== undefined) {
        if (Number.isInteger(blocks) && blocks >= 1 && blocks <= n) sizes = nearEqualSizes(n, blocks);
        else r.problem('blocks', `must be an integer in [1, n = ${n}]; got ${blocks}`);
      }
      if (listed !== undefined && n !== undefined && listed.reduce((a, b) => a + b, 0) !== n) {
        r.problem('sizes', `the block sizes add up to ${listed.reduce((a, b) => a + b, 0)} but the network needs ${n} nodes`);
      }
      if (sizes === undefined || pIn === undefined || pOut === undefined || n === undefined || !ok()) return null;
      if (!check(checkSbm({ sizes, pIn, pOut }, path))) return null;
      return { kind, n, sizes, pIn, pOut };
    }
  }
}

/**
 * Validates a network spec from a scenario (an object, or the compact string form) and resolves
 * it. Every problem is reported, each located by its dotted path.
 */
export function parseNetworkSpec(raw: unknown, path = 'network', ctx: SpecContext = {}): ParsedSpec {
  if (typeof raw === 'string') return parseNetworkSpecString(raw, path, ctx);
  const issues: Issue[] = [];
  if (!isRecord(raw)) {
    issues.push({
      path,
      message: `must be an object with a kind, or a string such as "watts-strogatz:k=4,beta=0.1"; got ${describeValue(raw)}`,
    });
    return { spec: null, issues };
  }
  const rawKind = raw.kind;
  const kind = typeof rawKind === 'string' ? normalizeKind(rawKind) : undefined;
  if (kind === undefined) {
    const guess = typeof rawKind === 'string' ? suggest(rawKind, [...NETWORK_KINDS, ...Object.keys(NETWORK_ALIASES)]) : undefined;
    issues.push({
      path: at(path, 'kind'),
      message: `${rawKind === undefined ? 'missing' : `unknown kind ${describeValue(rawKind)}`}; one of ${NETWORK_KINDS.join(', ')}`,
      fix: guess ? `did you mean ${guess}?` : undefined,
    });
    return { spec: null, issues };
  }
  const allowed = NETWORK_FIELDS[kind];
  for (const field of Object.keys(raw)) {
    if (field === 'kind' || allowed.includes(field)) continue;
    const guess = suggest(field, allowed);
    issues.push({
      path: at(path, field),
      message:
        field === 'meanDegree'
          ? `not supported by kind ${kind}: its density is set by ${allowed.filter((f) => f !== 'n').join(', ') || 'its structure'}`
          : `unknown field for kind ${kind}; it takes ${allowed.join(', ')}`,
      fix: field === 'meanDegree' ? undefined : guess ? `did you mean ${guess}?` : `remove ${field}`,
    });
  }
  const spec = resolveKind(kind, new FieldReader(raw, path, issues, ctx.observe), path, ctx);
  return { spec: issues.length === 0 ? spec : null, issues };
}

function parseValue(field: string, text: string): unknown {
  if (field === 'path' || field === 'format' || field === 'directed') return text;
  if (field === 'sizes') return text.split('/').map((s) => parseValue('', s));
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/**
 * Parses the compact form `kind[:key=value,key=value]`: `ws:n=100,k=4,beta=0.1`, `ba:m=3`,
 * `sbm:sizes=50/50,pIn=0.2,pOut=0.01`, `karate`, `file:networks/x.csv` (a path alone), or just a
 * file name with a known extension. snake_case keys (`mean_degree`, `p_in`) are accepted too.
 */
export function parseNetworkSpecString(text: string, path = 'network', ctx: SpecContext = {}): ParsedSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const head = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const body = colon < 0 ? '' : trimmed.slice(colon + 1);
  if (colon < 0 && /\.(json|gexf|graphml|xml|csv|tsv|txt|edges|edgelist)$/i.test(trimmed)) {
    return parseNetworkSpec({ kind: 'file', path: trimmed }, path, ctx);
  }
  const raw: Record<string, unknown> = { kind: head };
  const issues: Issue[] = [];
  if (normalizeKind(head) === 'file' && body !== '' && !/^(path|format|directed)=/.test(body)) {
    raw.path = body;
  } else if (body !== '') {
    for (const part of body.split(',')) {
      const eq = part.indexOf('=');
      const key = (eq < 0 ? part : part.slice(0, eq)).trim();
      if (eq < 0 || key === '') {
        issues.push({ path, message: `expected key=value in ${describeValue(part)}`, fix: 'e.g. watts-strogatz:n=100,k=4,beta=0.1' });
        continue;
      }
      const field = FIELD_ALIASES[key] ?? FIELD_ALIASES[key.toLowerCase()] ?? key;
      if (field in raw) issues.push({ path: at(path, field), message: 'given twice' });
      raw[field] = parseValue(field, part.slice(eq + 1));
    }
  }
  const parsed = parseNetworkSpec(raw, path, ctx);
  return issues.length === 0 ? parsed : { spec: null, issues: [...issues, ...parsed.issues] };
}

/** The canonical compact string of a spec (fields in a fixed order); parses back to the same spec. */
export function formatNetworkSpec(spec: NetworkSpec): string {
  const fields = NETWORK_FIELDS[spec.kind];
  const record = spec as unknown as Record<string, unknown>;
  if (spec.kind === 'graph') return `graph:n=${spec.nodes.length}`; // the nodes and edges are data, not a string
  if (spec.kind === 'file') {
    const extra = fields.filter((f) => f !== 'path' && record[f] !== undefined).map((f) => `${f}=${record[f]}`);
    return extra.length === 0 ? `file:${spec.path}` : `file:path=${spec.path},${extra.join(',')}`;
  }
  const parts = fields
    .filter((f) => record[f] !== undefined && !(f === 'n' && FIXED_SIZES[spec.kind] !== undefined))
    .map((f) => {
      const v = record[f];
      return `${f}=${Array.isArray(v) ? v.join('/') : String(v)}`;
    });
  return parts.length === 0 ? spec.kind : `${spec.kind}:${parts.join(',')}`;
}
