/** Structured logs (pino) to the run's log.jsonl. Results go to files, not logs; never a token. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function fileLogger(path: string, level = 'info'): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'accessToken'], censor: '[redacted]' },
    },
    pino.destination({ dest: path, sync: true, mkdir: true }),
  );
}
