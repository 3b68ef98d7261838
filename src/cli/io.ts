/** Where CLI commands write: injectable so tests can capture output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Progress lines go to stderr only when it is a terminal. */
  readonly isTty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    isTty: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

/** A one-line progress display on a terminal (redrawn in place), silent otherwise. */
export function progressLine(io: CliIo): { update(text: string): void; done(): void } {
  let shown = false;
  return {
    update(text) {
      if (!io.isTty) return;
      process.stderr.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}
