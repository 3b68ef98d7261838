/**
 * Child processes for the benchmark: every heavy case runs in a fresh Node process so that its
 * peak memory, CPU time and garbage are its own, and the model server runs beside the engine
 * without being charged to it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUN_TS = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  /** The next message of this type. */
  next<T>(type: string): Promise<T>;
  send(message: object): void;
}

/** Forks `node [nodeFlags] bin/run-ts.js entry ...args` with an IPC channel. */
export function forkTs(entry: string, args: readonly string[], nodeFlags: readonly string[] = []): Child {
  const child = fork(RUN_TS, [fileURLToPath(new URL(entry, import.meta.url)), ...args], {
    execArgv: [...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, Array<(m: unknown) => void>>();
  const early = new Map<string, unknown[]>();
  let exited: Error | null = null;
  child.on('message', (m: { type: string }) => {
    const list = waiting.get(m.type);
    if (list && list.length > 0) list.shift()!(m);
    else early.set(m.type, [...(early.get(m.type) ?? []), m]);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`${entry} exited (code ${code}, signal ${signal}) before answering`);
    for (const list of waiting.values()) for (const w of list.splice(0)) w(exited);
  });
  return {
    process: child,
    next<T>(type: string): Promise<T> {
      const queued = early.get(type);
      if (queued && queued.length > 0) return Promise.resolve(queued.shift() as T);
      if (exited) return Promise.reject(exited);
      return new Promise<T>((resolve, reject) => {
        const list = waiting.get(type) ?? [];
        list.push((m) => (m instanceof Error ? reject(m) : resolve(m as T)));
        waiting.set(type, list);
      });
    },
    send(message: object) {
      child.send(message);
    },
  };
}

/** Runs one benchmark case (bench/case.ts) in a fresh process and returns its result. */
export async function runCase<T>(name: string, params: object, nodeFlags: readonly string[] = []): Promise<T> {
  const child = forkTs('./case.ts', [name, JSON.stringify(params)], ['--expose-gc', ...nodeFlags]);
  const reply = await child.next<{ type: 'result'; result?: T; error?: string }>('result');
  await new Promise<void>((resolve) => (child.process.exitCode !== null ? resolve() : child.process.once('exit', () => resolve())));
  if (reply.error) throw new Error(`bench case ${name} failed: ${reply.error}`);
  return reply.result as T;
}
