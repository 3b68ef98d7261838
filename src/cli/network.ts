/**
 * `atp-sim network generate|describe`: make a network file from a spec, or print the structure
 * of a file or spec. Problems exit with code 2 and one line each; nothing is half-written
 * (files go to a temporary name first, then are renamed).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AtpSimError, formatIssue } from '../core/errors.ts';
import {
  buildNetwork,
  describeNetwork,
  formatFromPath,
  formatNetworkSpec,
  NETWORK_FORMATS,
  parseNetworkSpecString,
  writeNetworkFile,
  type NetworkDescription,
  type NetworkFormat,
  type NetworkSpec,
} from '../networks/index.ts';

export interface CliOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const EXIT_OK = 0;
const EXIT_USAGE = 2;

const HELP = `Usage: atp-sim network <command> [options]

Commands:
  generate <spec> --out FILE [--seed S]   write a generated network as graphology JSON (.json) or GEXF (.gexf)
  describe <FILE|spec> [--seed S]         print nodes, degrees, clustering, assortativity, paths, modularity

A spec is kind[:key=value,...], for example
  watts-strogatz:n=100,k=4,beta=0.1   ba:n=1000,m=5   er:n=500,meanDegree=6   ring:n=50,k=4
  sbm:sizes=50/50,pIn=0.2,pOut=0.01   regular:n=100,d=4   grid:rows=10,cols=10   torus:rows=10,cols=10
  star:n=20   caveman:cliques=10,cliqueSize=5   complete:n=10   karate   florentine   file:PATH

Run 'atp-sim network <command> --help' for the options of a command.
`;

const GENERATE_HELP = `Usage: atp-sim network generate <spec> --out FILE [--seed S] [--force]

Generates the network described by <spec> with the given seed (default 1) and writes it to FILE:
graphology JSON for .json, GEXF (opens in Gephi) for .gexf. An existing FILE is refused unless
--force. The same spec and seed always give the same bytes. Agents are numbered in node order: generated nodes are "0".."n-1".

Options:
  --out FILE        file to write (required)
  --seed S          integer seed of the random models (default 1)
  --force           overwrite FILE if it exists
  --directed symmetrize   when <spec> is a file with directed edges, read each as mutual
`;

const DESCRIBE_HELP = `Usage: atp-sim network describe <FILE|spec> [--seed S] [--json] [--sample-sources N]

Prints the structure of a network file (.json, .gexf, .graphml, .csv, .tsv, .txt) or of a
generated spec: nodes, edges, degrees and their heterogeneity <k^2>/<k>^2, average clustering,
transitivity, degree assortativity, connected components, average shortest path and diameter
(exact on small graphs, from sampled BFS sources on large ones), modularity of Leiden communities.

Options:
  --seed S               seed for generation, path sampling and communities (default 1)
  --json                 print the description as JSON
  --sample-sources N     BFS sources for path lengths (default: all when cheap, else sampled)
  --format F             file format when the extension does not say (${NETWORK_FORMATS.join(', ')})
  --directed symmetrize  read directed edges as mutual observation instead of rejecting them
`;

class UsageError extends Error {}

function parseSeed(raw: string | undefined): number {
  if (raw === undefined) return 1;
  // Above 2^53 distinct seeds (1e20 and 1e20+1) collapse to one number and give one network.
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`--seed must be an integer; got ${JSON.stringify(raw)}`);
  if (!Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--seed must be a whole number between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}; got ${JSON.stringify(raw)} (fix: use a smaller whole number)`);
  }
  return Number(raw);
}

/** A spec from the command line: an existing file, or the compact string form. */
function specFromArgument(arg: string, format: string | undefined, directed: string | undefined): NetworkSpec {
  if (format !== undefined && !(NETWORK_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${NETWORK_FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  }
  if (directed !== undefined && directed !== 'symmetrize' && directed !== 'error') {
    throw new UsageError(`--directed must be symmetrize or error; got ${JSON.stringify(directed)}`);
  }
  const fileOptions = {
    ...(format ? { format: format as NetworkFormat } : {}),
    ...(directed ? { directed: directed as 'symmetrize' | 'error' } : {}),
  };
  if (existsSync(arg)) return { kind: 'file', path: arg, ...fileOptions };
  const { spec, issues } = parseNetworkSpecString(arg, 'spec');
  if (spec === null) throw new AtpSimError('INVALID_NETWORK', 'invalid network spec', issues);
  return spec.kind === 'file' ? { ...spec, ...fileOptions } : spec;
}

function reportError(err: unknown, command: string, out: CliOutput): number {
  if (err instanceof UsageError) {
    out.stderr(`atp-sim network ${command}: ${err.message}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof AtpSimError) {
    if (err.issues.length > 0) {
      for (const issue of err.issues) out.stderr(`atp-sim network ${command}: ${formatIssue(issue)}\n`);
    } else {
      out.stderr(`atp-sim network ${command}: ${err.message}\n`);
    }
    return EXIT_USAGE;
  }
  // Unknown options (node:util parseArgs) and file system errors (e.g. EACCES on --out).
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string' && (code.startsWith('ERR_PARSE_ARGS') || /^E[A-Z]+$/.test(code))) {
    out.stderr(`atp-sim network ${command}: ${(err as Error).message}\n`);
    return EXIT_USAGE;
  }
  throw err;
}

const OPTIONS = {
  out: { type: 'string' },
  force: { type: 'boolean' },
  seed: { type: 'string' },
  format: { type: 'string' },
  directed: { type: 'string' },
  json: { type: 'boolean' },
  'sample-sources': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>['values'];

/** Parses a command's arguments: its one positional and the options it accepts (others are usage errors). */
function readArgs(args: string[], accepted: ReadonlyArray<keyof typeof OPTIONS>, what: string): { values: Values; target: string } | null {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: OPTIONS });
  if (values.help) return null;
  for (const name of Object.keys(values) as Array<keyof typeof OPTIONS>) {
    if (!accepted.includes(name)) throw new UsageError(`--${name} does not apply here (see --help)`);
  }
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${positionals.length} (see --help)`);
  return { values, target: positionals[0] };
}

function generate(args: string[], out: CliOutput): number {
  const read = readArgs(args, ['out', 'force', 'seed', 'directed'], 'spec');
  if (read === null) {
    out.stdout(GENERATE_HELP);
    return EXIT_OK;
  }
  const { values } = read;
  if (values.out === undefined) throw new UsageError('--out FILE is required (.json or .gexf)');
  const target = values.out;
  const format = formatFromPath(target);
  if (format !== 'json' && format !== 'gexf') {
    throw new UsageError(`cannot write ${JSON.stringify(target)}: use a .json (graphology) or .gexf (Gephi) file name`);
  }
  if (!values.force && existsSync(target)) throw new UsageError(`${target} already exists; nothing written (fix: add --force to overwrite it, or choose another --out)`);
  const seed = parseSeed(values.seed);
  const spec = specFromArgument(read.target, undefined, values.directed);
  const { csr, warnings } = buildNetwork(spec, { seed, path: 'spec' });
  for (const w of warnings) out.stderr(`warning: ${w}\n`);
  const name = formatNetworkSpec(spec);
  writeNetworkFile(target, csr, { format, meta: { name, seed } });
  out.stdout(`wrote ${target}: ${csr.n} nodes, ${csr.offsets[csr.n] / 2} edges (${name}, seed ${seed})\n`);
  return EXIT_OK;
}

function fmt(x: number | null, digits = 4): string {
  if (x === null) return 'undefined';
  if (Number.isInteger(x)) return String(x);
  // Densities of large sparse graphs would print as 0.0000.
  return Math.abs(x) < 10 ** -digits ? x.toExponential(2) : x.toFixed(digits);
}

export function describeTable(name: string, seed: number, d: NetworkDescription): string {
  const paths = d.paths;
  const rows: Array<[string, string]> = [
    ['network', name],
    ['nodes', String(d.nodes)],
    ['edges', String(d.edges)],
    ['density', fmt(d.density)],
    ['degree', `mean ${fmt(d.meanDegree, 3)}, min ${d.minDegree}, max ${d.maxDegree}`],
    ['heterogeneity', `${fmt(d.degreeHeterogeneity, 3)}  (<k^2>/<k>^2)`],
    ['isolated nodes', String(d.isolated)],
    ['clustering', `average ${fmt(d.averageClustering)}, transitivity ${fmt(d.transitivity)}`],
    ['assortativity', fmt(d.assortativity)],
    ['components', `${d.components.count} (largest ${d.components.largest} nodes)`],
    [
      'paths',
      `average ${fmt(paths.averageLength, 3)}, diameter ${paths.exact ? '' : '>= '}${paths.diameter} ` +
        `(${paths.exact ? 'exact' : `sampled, ${paths.sources} of ${paths.componentSize} sources`})`,
    ],
    [
      'modularity',
      d.modularity
        ? `${fmt(d.modularity.value)} (${d.modularity.communities} Leiden communities; ` +
          `${d.modularity.levels} levels over ${d.modularity.iterations} iterations, seed ${seed})`
        : 'skipped',
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}${v}`);
  for (const note of d.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

function describe(args: string[], out: CliOutput): number {
  const read = readArgs(args, ['seed', 'json', 'sample-sources', 'format', 'directed'], 'file or spec');
  if (read === null) {
    out.stdout(DESCRIBE_HELP);
    return EXIT_OK;
  }
  const { values } = read;
  const seed = parseSeed(values.seed);
  let sampleSources: number | undefined;
  if (values['sample-sources'] !== undefined) {
    sampleSources = Number(values['sample-sources']);
    if (!Number.isInteger(sampleSources) || sampleSources < 1) {
      throw new UsageError(`--sample-sources must be a positive integer; got ${JSON.stringify(values['sample-sources'])}`);
    }
  }
  const spec = specFromArgument(read.target, values.format, values.directed);
  const { csr, warnings } = buildNetwork(spec, { seed, path: 'spec' });
  for (const w of warnings) out.stderr(`warning: ${w}\n`);
  const description = describeNetwork(csr, { seed, sampleSources });
  const name = formatNetworkSpec(spec);
  if (values.json) out.stdout(`${JSON.stringify({ network: name, seed, ...description }, null, 2)}\n`);
  else out.stdout(describeTable(name, seed, description));
  return EXIT_OK;
}

export async function networkCommand(argv: string[], out: CliOutput): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out.stdout(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  try {
    if (command === 'generate') return generate(rest, out);
    if (command === 'describe') return describe(rest, out);
  } catch (err) {
    return reportError(err, command, out);
  }
  out.stderr(`atp-sim network: unknown command ${JSON.stringify(command)}; use generate or describe (see --help)\n`);
  return EXIT_USAGE;
}
