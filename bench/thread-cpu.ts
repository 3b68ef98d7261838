/**
 * CPU time of the main thread, for per-round figures.
 *
 * Why not process.cpuUsage() alone: it sums every thread of the process, and V8 compiles optimised
 * code on background threads (and marks and sweeps the heap on helper threads). Whatever they
 * finish while a round runs lands in that round, whoever asked for it: in bench/python's warm
 * third run at 10^4 nodes the process's CPU per round was about twice the main thread's, and equal
 * to it with `node --no-concurrent-recompilation` (0.285 ms a round both), so the difference was the
 * optimising compiler at work on other code, set-up code included. Not so in a first run on a
 * graph: there the same flag raised the main thread's figure (1.03 against 0.62 ms a round at
 * 10^4), the compiler working on the round code that run needs, so bench/python also sets the
 * first run against the process's CPU.
 *
 * How (Linux; Node 20 has no thread CPU clock, process.threadCpuUsage came in 23.9): the process's
 * CPU (getrusage, exact) minus the other threads' (the first field of /proc/self/task/<tid>/
 * schedstat, in ns). The main thread's own schedstat will not do: the kernel brings a running
 * thread's count up to date only at a scheduler tick or a switch (4 ms here), so a thread that
 * reads it about itself sees 0 for most short spans. getrusage and another thread's schedstat
 * read the same count, but not at the same moment, and a running thread's count that moves between
 * the two reads puts a single reading ms off (spans of one round down to -10 ms at 10^4 when read
 * once): so the process's CPU is read between two equal readings of the other threads'
 * (`cpuSampleMs`). Their files are opened once (`refreshThreads`, called by each timed run; a
 * thread started later is counted as the main thread's until then, and only its CPU after its
 * file was opened comes off, which can only make the engine look slower) and read again at offset
 * 0: about 2 us a thread, about 40 us a sample with a dozen threads (two passes), charged to the
 * main thread like any work of its own.
 * Elsewhere, the process's CPU, and `threadClock` says so.
 */
import { openSync, readSync, readdirSync, readlinkSync, closeSync } from 'node:fs';

const buf = Buffer.alloc(128);

function readNs(fd: number): number {
  const len = readSync(fd, buf, 0, buf.length, 0);
  const ns = Number(buf.toString('latin1', 0, len).split(' ')[0]);
  return Number.isFinite(ns) ? ns : 0;
}

/** This thread's id, or null where /proc gives no per-thread files. */
function mainTid(): string | null {
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    const fd = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
    try {
      readNs(fd);
    } finally {
      closeSync(fd);
    }
    return tid;
  } catch {
    return null;
  }
}

const main = mainTid();

interface Other {
  fd: number | null;
  /**
   * Its count when its file was opened: only what it takes after that comes off the main
   * thread's. A reading taken before the open counted all of the thread's CPU so far as the main
   * thread's; taking that off a later reading would make the span between them short of the main
   * thread's own.
   */
  base: number;
  /**
   * The last count read; an ended thread's CPU stays in the process's total, so it stays here, but
   * only up to its last reading: what it took after that is counted as the main thread's (its file
   * is gone). V8's compiler and heap helper threads live as long as the process.
   */
  ns: number;
}
/** The other threads' schedstat files, by thread id. */
const others = new Map<string, Other>();

/** What `threadCpuMs` measures here. */
export const threadClock: 'main thread' | 'process' = main === null ? 'process' : 'main thread';

/** The process's CPU (every thread), in ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Opens the files of the threads started since the last call. */
export function refreshThreads(): void {
  if (main === null) return;
  for (const tid of readdirSync('/proc/self/task')) {
    if (tid === main || others.has(tid)) continue;
    let fd: number | null = null;
    try {
      fd = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
      const ns = readNs(fd);
      others.set(tid, { fd, base: ns, ns });
    } catch {
      // It ended between the listing and the open (or the first read).
      if (fd !== null) closeSync(fd);
    }
  }
}

/** The CPU in ms of the other threads known since the last refreshThreads, since each was first seen. */
export function otherThreadsCpuMs(): number {
  let ns = 0;
  for (const o of others.values()) {
    if (o.fd !== null) {
      try {
        o.ns = readNs(o.fd);
      } catch {
        // The thread ended: its last count stands.
        closeSync(o.fd);
        o.fd = null;
      }
    }
    ns += o.ns - o.base;
  }
  return ns / 1e6;
}

/**
 * The process's CPU and the main thread's, in ms, from one reading of the process's between two
 * equal readings of the other threads'. getrusage and the schedstat files read the same kernel
 * counts, but not at the same moment: another thread's count that moves between them (a running
 * compiler thread's, brought up to date by a tick or a switch on its own CPU) lands in one and not
 * the other, and a single reading could put the main thread's CPU several ms off (measured: spans
 * of one round at 10^4 down to -10 ms, the next +11 ms). Where the other threads' counts did not
 * move around the process's reading, it saw those very counts. A few tries, then the last.
 */
export function cpuSampleMs(): { process: number; thread: number } {
  if (main === null) {
    const all = processCpuMs();
    return { process: all, thread: all };
  }
  let before = otherThreadsCpuMs();
  for (let tries = 0; ; tries++) {
    const all = processCpuMs();
    const after = otherThreadsCpuMs();
    if (after === before || tries === 4) return { process: all, thread: all - after };
    before = after;
  }
}

/** The main thread's CPU in ms (the process's where threads cannot be told apart). */
export function threadCpuMs(): number {
  return cpuSampleMs().thread;
}

refreshThreads();
