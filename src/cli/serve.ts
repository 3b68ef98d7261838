/** `atp-sim serve <folder>`: the live view of the runs in a folder (src/serve/server.ts). */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import { startServer, type DirRenderer, type RunningServer } from '../serve/server.ts';
import { parseCommand, wholeNumber } from './args.ts';
import type { CliIo } from './io.ts';

export const SERVE_HELP = `Usage: atp-sim serve <folder> [--port N] [--host 127.0.0.1]

Serves the runs and sweeps in <folder> to a web browser: a list of them, each run's live page
(status, rounds done out of planned, spend at the scenario's prices, failed model calls, invalid
replies, the per-round table, updated as rounds land), and the HTML report of any run, sweep or
folder, drawn from the files at each request. Read-only: nothing is written.

Options:
  --port N         The port (default 8080; 0 picks a free one, printed at start)
  --host ADDRESS   The address to listen on (default 127.0.0.1: this machine only). Another
                   address makes the runs readable by whoever can reach it, prompts and replies
                   included; 0.0.0.0 listens on every interface
  -h, --help       Show this help

Only files inside <folder> are served (symbolic links that lead out are refused). Stop with
Ctrl-C (exit 0).
`;

/**
 * The explorer's page for a run or sweep directory (`atp-sim explore`'s page), drawn on a worker
 * thread so the server keeps answering meanwhile (the server caches it while its files are unchanged).
 */
export const EXPLORE: DirRenderer = async (dir) => {
  const { renderExplorerOffThread } = await import('../report/explorer/thread.ts');
  return renderExplorerOffThread(dir);
};

async function listen(root: string, host: string, port: number): Promise<RunningServer> {
  try {
    return await startServer({ root, host, port, explore: EXPLORE });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new AtpSimError('INVALID_ARGUMENT', `--port: ${port} is already in use on ${host} (fix: choose another with --port N, or --port 0 for any free port)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw new AtpSimError('INVALID_ARGUMENT', `--host: "${host}" is not an address of this machine (fix: use 127.0.0.1, or an address this machine has)`);
    if (code === 'EACCES') throw new AtpSimError('INVALID_ARGUMENT', `--port: ${port} needs privileges to listen on (fix: use a port above 1023)`);
    throw err;
  }
}

/** Resolves when SIGINT or SIGTERM arrives (the normal way to stop a server). */
function untilInterrupted(): Promise<string> {
  return new Promise((resolveSignal) => {
    const on = (sig: string) => () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolveSignal(sig);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, { port: { type: 'string' }, host: { type: 'string' } });
  if (values.help) {
    io.stdout(SERVE_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `serve: expected one folder; got ${positionals.length} (fix: atp-sim serve runs/)`);
  const root = resolve(positionals[0]);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new AtpSimError('FILE_NOT_FOUND', `serve: ${positionals[0]} is not a folder (fix: give the folder holding your runs, e.g. runs/)`);
  const port = wholeNumber('port', values.port, 0) ?? 8080;
  if (port > 65535) throw new AtpSimError('INVALID_ARGUMENT', `--port: must be at most 65535; got ${port}`);
  const host = values.host ?? '127.0.0.1';
  if (!host.trim()) throw new AtpSimError('INVALID_ARGUMENT', '--host: must be an address such as 127.0.0.1; got an empty value');
  const server = await listen(root, host, port);
  const stopped = untilInterrupted();
  io.stdout(`atp-sim serve: ${root} at ${server.url} (Ctrl-C to stop)`);
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') io.stderr(`atp-sim serve: listening on ${host}: anyone who can reach it can read these runs, prompts and replies included`);
  const sig = await stopped;
  await server.close();
  io.stdout(`atp-sim serve: ${sig} received, stopped`);
  return 0;
}
