/**
 * The stopping notice names what applies to the signal received: Ctrl-C again after a Ctrl-C; after
 * a SIGTERM (a scheduler, kill) the user may have no terminal to press Ctrl-C in.
 */
import { describe, expect, it } from 'vitest';
import { onInterrupt } from '../../src/cli/signals.ts';

/** Calls this module's handler for `sig` directly (no real signal is sent to the test process). */
function deliver(sig: 'SIGINT' | 'SIGTERM'): string[] {
  const notices: string[] = [];
  const before = new Set(process.listeners(sig));
  const interrupts = onInterrupt((t) => notices.push(t));
  try {
    const added = process.listeners(sig).filter((l) => !before.has(l));
    expect(added).toHaveLength(1);
    (added[0] as () => void)();
    expect(interrupts.signal.aborted).toBe(true);
  } finally {
    interrupts.dispose();
  }
  return notices;
}

describe('the first signal', () => {
  it('Ctrl-C (SIGINT): says Ctrl-C again quits at once', () => {
    expect(deliver('SIGINT')).toEqual(['atp-sim: SIGINT received: stopping (the round in flight is abandoned; press Ctrl-C again to quit at once)']);
  });

  it('SIGTERM: says a second signal quits at once, not only Ctrl-C', () => {
    expect(deliver('SIGTERM')).toEqual(['atp-sim: SIGTERM received: stopping (the round in flight is abandoned; send SIGTERM again, or press Ctrl-C, to quit at once)']);
  });
});
