/** Structured logs (pino) to the run's log.jsonl. Results go to files, not logs; never a token. */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { redactUrlsIn } from '../core/url.ts';

export type { Logger };

/** Every string in a log object with URL credentials and secret query values redacted (core/url.ts). */
function redactStrings(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlsIn(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactStrings(v, depth + 1);
  return out;
}

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
      // A URL can reach a log line in any field or message (an endpoint, an error quoting HF_ENDPOINT).
      formatters: { log: (obj) => redactStrings(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactUrlsIn(a) : a)) as Parameters<typeof method>);
        },
      },
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
