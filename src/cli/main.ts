/** The atp-sim command line. Exit codes: see EXIT_CODES (printed by --help, listed in the README). */
import { AtpSimError } from '../core/errors.ts';
import { closest } from '../core/reader.ts';
import { redactUrlsIn } from '../core/url.ts';
import { processIo, type CliIo } from './io.ts';

export const EXIT_CODES = `
Exit codes:
  0    done (a run stopped by its budget too: its output says "stopped" and how to resume)
  1    the run failed (e.g. too many model calls failed), or a sweep cell failed
  2    a usage or input error (unknown flag, invalid scenario, network or file); nothing was run
  130  interrupted by Ctrl-C (SIGINT); 143: stopped by SIGTERM. Continue with --resume
`;

export const MAIN_HELP = `atp-sim: simulate populations of LLM agents on social graphs and measure how
rewarded rule violations spread (the Alignment Tipping Process, arXiv 2510.04860).

Usage: atp-sim <command> [options]     (atp-sim <command> --help for details)

Commands:
  run <scenario>             Run a scenario (YAML/JSON) and write runs/<id>/
  quickstart                 Offline demo: a seeded violation spreading on four topologies
  import-atp <file> --out D  Convert ATP's templates/questions files into scenario files
  network generate|describe  Make or inspect a network
  sweep <file>               Run a grid of scenarios with replicates
  merge <dirs...>            Join the results of sweep shards (and their response caches)
  cache merge <files...>     Merge response caches into one (--out FILE)
  report <dir>               Tables and a self-contained HTML report for a run or a sweep
  explore <dir>              An interactive, offline HTML explorer of a run or a sweep
  serve <folder>             Live view of the runs in a folder, in a browser (127.0.0.1 only)
  export <dir> --format F    Tidy csv or parquet tables of a run or a sweep (rounds, decisions or
                             agents); gexf: a run's network, choices per round, for Gephi
  pairs <scenario|sweep>     DPO preference pairs and GRPO prompts from a scenario's prompts
  fit <dir>                  Fit a surrogate policy to a run's or sweep's LLM decisions
  validate [--full]          Reproduce published results offline (Watts 2002, Centola & Macy 2007,
                             Santos & Pacheco 2005)
  schema scenario|sweep      JSON Schema of scenario or sweep files, for editors
  reproduce atp              The ATP paper's grids (group, roleplay, tools, bargaining) and its tables
  help <command>             That command's help (same as atp-sim <command> --help)

Options: -h, --help (this text), -v, -V, --version (the version)

Progress goes to stderr: redrawn in place on a terminal; otherwise (nohup, a batch job, a log
file) a plain line every ATP_SIM_PROGRESS_SECONDS (default 15) and when a round or a cell ends.
${EXIT_CODES}`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

async function lazy(path: string, name: string): Promise<Command> {
  const mod = (await import(path)) as Record<string, Command>;
  return mod[name];
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  // Every command loads on use: `run` alone pulls in the engine, YAML, SQLite, pino and graphology
  // (imported up front, they made `atp-sim --help` cost 4x a bare node instead of 1.2x; bench/startup.ts).
  run: () => lazy('./run.ts', 'runCommand'),
  'import-atp': () => lazy('./import-atp.ts', 'importAtpCommand'),
  network: async () => {
    const f = (await import('./network.ts')) as { networkCommand: (a: string[], o: { stdout: (s: string) => void; stderr: (s: string) => void }) => Promise<number> };
    return (argv, io) => f.networkCommand(argv, io);
  },
  quickstart: () => lazy('./quickstart.ts', 'quickstartCommand'),
  sweep: () => lazy('./sweep.ts', 'sweepCommand'),
  merge: () => lazy('./sweep.ts', 'mergeCommand'),
  cache: () => lazy('./cache.ts', 'cacheCommand'),
  report: () => lazy('./report.ts', 'reportCommand'),
  explore: () => lazy('./explore.ts', 'exploreCommand'),
  export: () => lazy('./export.ts', 'exportCommand'),
  validate: () => lazy('./validate.ts', 'validateCommand'),
  schema: () => lazy('./schema.ts', 'schemaCommand'),
  pairs: () => lazy('./pairs.ts', 'pairsCommand'),
  fit: () => lazy('./fit.ts', 'fitCommand'),
  reproduce: () => lazy('./reproduce.ts', 'reproduceCommand'),
  serve: () => lazy('./serve.ts', 'serveCommand'),
};

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  // `help --help` asks for help about help: the main help, as a bare `help` gives.
  if (cmd === 'help' && rest.length > 0 && !(rest.length === 1 && (rest[0] === '--help' || rest[0] === '-h'))) return helpFor(rest, io);
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout(MAIN_HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === '--version' || cmd === '-v' || cmd === '-V') {
    const { VERSION } = await import('../run.ts');
    io.stdout(VERSION);
    return 0;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    // One line, as for every usage error: the whole help here buried the word that was wrong.
    const near = closest(cmd, Object.keys(COMMANDS));
    io.stderr(`atp-sim: unknown command "${cmd}" (fix: ${near ? `did you mean "${near}"? ` : ''}atp-sim --help lists the commands)`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/** `atp-sim help <command>`: the command's own --help (one text per command, no copy here). */
async function helpFor(args: string[], io: CliIo): Promise<number> {
  const load = COMMANDS[args[0]];
  if (args.length !== 1 || !load) {
    io.stderr(`atp-sim help: ${args.length !== 1 ? `expected one command; got ${args.length}` : `unknown command "${args[0]}"`} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  return (await load())(['--help'], io);
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof AtpSimError) {
    io.stderr(`atp-sim: ${redactUrlsIn(err.message)}`);
    // A folder that holds something else, or a damaged file, is the user's input too: exit 2. So is
    // a replay that asks for a call its recording (or --cache-mode replay's cache) does not hold.
    const input = ['INVALID_SCENARIO', 'INVALID_NETWORK', 'INVALID_ARGUMENT', 'FILE_NOT_FOUND', 'RUN_DIR_CONFLICT', 'CORRUPT_FILE', 'REPLAY_MISS'].includes(err.code);
    return input ? 2 : 1;
  }
  const e = err as { code?: string; message?: string };
  if (e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    // node:util's own text spans lines and says nothing of the fix; parseCommand rewrites the
    // common cases, this is the rest (a command that calls parseArgs itself), on one line.
    io.stderr(`atp-sim: ${(e.message ?? '').replace(/\s*\n\s*/g, ' ')} (see --help)`);
    return 2;
  }
  io.stderr(`atp-sim: unexpected error: ${redactUrlsIn(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
  return 1;
}
