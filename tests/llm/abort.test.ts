import { describe, expect, it } from 'vitest';
import { abortableSleep, onAbort } from '../../src/llm/abort.ts';

describe('onAbort', () => {
  it('calls every subscriber once, through a single listener on the signal', () => {
    const controller = new AbortController();
    let added = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    const calls: number[] = [];
    for (let i = 0; i < 50; i++) onAbort(controller.signal, () => calls.push(i));
    const unsubscribe = onAbort(controller.signal, () => calls.push(-1));
    unsubscribe();
    controller.abort();
    expect(added).toBe(1);
    expect(calls).toHaveLength(50);
    expect(calls).not.toContain(-1);
  });
});

describe('abortableSleep', () => {
  it('resolves after the wait', async () => {
    await expect(abortableSleep(1)).resolves.toBeUndefined();
  });

  it('rejects with the reason when the signal aborts first', async () => {
    const controller = new AbortController();
    const pending = abortableSleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });

  it('rejects at once on an aborted signal', async () => {
    await expect(abortableSleep(60_000, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });
});
