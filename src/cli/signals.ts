/**
 * Ctrl-C (SIGINT) and SIGTERM during a command: the first one aborts the work through an
 * AbortSignal (model calls in flight are cancelled, the run is marked `stopped` and can be
 * resumed); a second one exits at once. The exit code is the shell's convention, 128 + signal
 * number: 130 for SIGINT, 143 for SIGTERM.
 */
const CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type Sig = keyof typeof CODES;

export interface Interrupts {
  readonly signal: AbortSignal;
  /** The exit code for the signal received, or null when none was. */
  exitCode(): number | null;
  /** Removes the handlers (the command is over). */
  dispose(): void;
}

export function onInterrupt(notice: (text: string) => void): Interrupts {
  const controller = new AbortController();
  let received: Sig | null = null;
  const handlers = new Map<Sig, () => void>();
  for (const sig of Object.keys(CODES) as Sig[]) {
    const handler = () => {
      if (received) {
        // Second signal: the user does not want to wait for the run to save its state.
        process.exit(CODES[sig]);
      }
      received = sig;
      // Either signal a second time quits; a SIGTERM (a scheduler, kill) may come with no terminal to press Ctrl-C in.
      const again = sig === 'SIGINT' ? 'press Ctrl-C again' : 'send SIGTERM again, or press Ctrl-C,';
      notice(`atp-sim: ${sig} received: stopping (the round in flight is abandoned; ${again} to quit at once)`);
      controller.abort(sig);
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
  return {
    signal: controller.signal,
    exitCode: () => (received ? CODES[received] : null),
    dispose() {
      for (const [sig, handler] of handlers) process.off(sig, handler);
    },
  };
}
