/** The atp-sim command line. Exit codes: 0 ok, 1 the run failed, 2 bad input. */
import { AtpSimError } from '../core/errors.ts';
import { processIo, type CliIo } from './io.ts';
import { runCommand, RUN_HELP } from './run.ts';
import { importAtpCommand } from './import-atp.ts';

export const MAIN_HELP = `atp-sim: simulate populations of LLM agents on social graphs and measure how
rewarded rule violations spread (the Alignment Tipping Process, arXiv 2510.04860).

Usage: atp-sim <command> [options]     (atp-sim <command> --help for details)

Commands:
  run <scenario>             Run a scenario (YAML/JSON) and write runs/<id>/
  quickstart                 Offline demo: a seeded violation spreading on four topologies
  import-atp <file> --out D  Convert ATP's templates/questions files into scenario files
  network generate|describe  Make or inspect a network
  sweep <file>               Run a grid of scenarios with replicates
  merge <dirs...>            Join the results of sweep shards
  report <dir>               Tables and a self-contained HTML report for a run or a sweep
`;

type Command = (argv: string[], io: CliIo) => Promise<number>;

async function lazy(path: string, name: string): Promise<Command> {
  const mod = (await import(path)) as Record<string, Command>;
  return mod[name];
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => runCommand,
  'import-atp': async () => importAtpCommand,
  network: async () => {
    const f = (await import('./network.ts')) as { networkCommand: (a: string[], o: { stdout: (s: string) => void; stderr: (s: string) => void }) => Promise<number> };
    return (argv, io) => f.networkCommand(argv, io);
  },
  quickstart: () => lazy('./quickstart.ts', 'quickstartCommand'),
  sweep: () => lazy('./sweep.ts', 'sweepCommand'),
  merge: () => lazy('./sweep.ts', 'mergeCommand'),
  report: () => lazy('./report.ts', 'reportCommand'),
};

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.stdout(MAIN_HELP);
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    const { VERSION } = await import('../run.ts');
    io.stdout(VERSION);
    return 0;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    io.stderr(`atp-sim: unknown command "${cmd}"\n\n${MAIN_HELP}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof AtpSimError) {
    io.stderr(`atp-sim: ${err.message}`);
    // RUN_DIR_CONFLICT: a folder in use by another process or holding another sweep: the user's to fix.
    const input = ['INVALID_SCENARIO', 'INVALID_NETWORK', 'INVALID_ARGUMENT', 'FILE_NOT_FOUND', 'RUN_DIR_CONFLICT'].includes(err.code);
    return input ? 2 : 1;
  }
  const e = err as { code?: string; message?: string };
  if (e && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`atp-sim: ${e.message} (see --help)`);
    return 2;
  }
  io.stderr(`atp-sim: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}

export { RUN_HELP };
