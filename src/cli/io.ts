/** Where CLI commands write: injectable so tests can capture output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress lines redraw in place when stderr is a terminal, else they are plain lines. */
  readonly isTty: boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Raw writes of progress to stderr (no newline added); absent: no progress (tests capturing output). */
  readonly progress?: (text: string) => void;
  /** Width of the terminal stderr shows on (undefined when unknown). */
  readonly columns?: number;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    isTty: Boolean(process.stderr.isTTY),
    env: process.env,
    progress: (t) => process.stderr.write(t),
    // Read at every redraw: the terminal may be resized during a run.
    get columns() {
      return process.stderr.columns;
    },
  };
}

export { progressLine } from './progress.ts';
