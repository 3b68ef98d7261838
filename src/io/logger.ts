/** Structured logs (pino) to the run's log.jsonl. Results go to files, not logs; never a token. */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** A logger writing to a file it owns: `close` flushes and closes the file (one handle per run). */
export type FileLogger = Logger & { close(): void };

export function fileLogger(path: string, level = 'info'): FileLogger {
  mkdirSync(dirname(path), { recursive: true });
  // The descriptor is ours, closed synchronously by `close`: a flushed but open destination kept
  // one handle per run, and 2,000 sweep cells died with EMFILE under `ulimit -n 1024`.
  const fd = openSync(path, 'a');
  const dest = pino.destination({ fd, sync: true });
  const log = pino(
    {
      level,
      base: undefined,
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'accessToken'], censor: '[redacted]' },
    },
    dest,
  ) as FileLogger;
  let closed = false;
  log.close = () => {
    if (closed) return;
    closed = true;
    dest.flushSync();
    // Later calls must not write to a descriptor number the process may have reused.
    log.level = 'silent';
    closeSync(fd);
  };
  return log;
}
