/**
 * The pool router (src/llm/pool.ts): least outstanding requests with weights, per-replica
 * limits, a circuit breaker with half-open probes, and failover of a retried request.
 */
import { describe, expect, it } from 'vitest';
import type { CompletionRequest, CompletionResult, LanguageModel } from '../../src/core/types.ts';
import { ModelCallError } from '../../src/llm/errors.ts';
import { modelPool, describeEndpoints, type PoolMember } from '../../src/llm/pool.ts';

/** A replica whose calls stay open until the test settles them. */
function manual(name: string) {
  const pending: Array<{ resolve: (r: CompletionResult) => void; reject: (e: unknown) => void }> = [];
  let down = false;
  const model: LanguageModel = {
    id: name,
    complete: () =>
      down
        ? Promise.reject(new ModelCallError('network', `${name} is down`, { retryable: true }))
        : new Promise((resolve, reject) => pending.push({ resolve, reject })),
  };
  return {
    model,
    pending,
    answerAll: () => pending.splice(0).forEach((p) => p.resolve({ text: name })),
    setDown: (d: boolean) => (down = d),
  };
}

const req = (n = 0): CompletionRequest => ({ messages: [{ role: 'user', content: `q${n}` }] });
const member = (url: string, model: LanguageModel, extra: Partial<PoolMember> = {}): PoolMember => ({ url, model, concurrency: 8, ...extra });
const tick = () => new Promise((r) => setImmediate(r));

describe('modelPool', () => {
  it('sends each call to the replica with the fewest calls in flight', async () => {
    const a = manual('a');
    const b = manual('b');
    const pool = modelPool('hf:m', [member('http://a/v1', a.model), member('http://b/v1', b.model)]);
    const calls = [0, 1, 2, 3].map((i) => pool.complete(req(i)));
    await tick();
    expect([a.pending.length, b.pending.length]).toEqual([2, 2]);
    a.answerAll();
    b.answerAll();
    expect((await Promise.all(calls)).map((r) => r.text).sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('gives a replica of weight 2 twice the calls in flight of one of weight 1', async () => {
    const a = manual('a');
    const b = manual('b');
    const pool = modelPool('hf:m', [member('http://a/v1', a.model), member('http://b/v1', b.model, { weight: 2 })]);
    for (let i = 0; i < 6; i++) void pool.complete(req(i));
    await tick();
    expect([a.pending.length, b.pending.length]).toEqual([2, 4]);
  });

  it('keeps each replica within its own concurrency and queues the rest in order', async () => {
    const a = manual('a');
    const b = manual('b');
    const pool = modelPool('hf:m', [member('http://a/v1', a.model, { concurrency: 1 }), member('http://b/v1', b.model, { concurrency: 2 })]);
    const calls = [0, 1, 2, 3, 4].map((i) => pool.complete(req(i)));
    await tick();
    expect([a.pending.length, b.pending.length]).toEqual([1, 2]);
    a.answerAll();
    await tick();
    expect(a.pending.length + b.pending.length).toBe(3);
    for (let i = 0; i < 5; i++) a.answerAll(), b.answerAll(), await tick();
    expect(await Promise.all(calls)).toHaveLength(5);
  });

  it('takes a replica out after three failures in a row and brings it back when a probe succeeds', async () => {
    let t = 0;
    const a = manual('a');
    const b = manual('b');
    const pool = modelPool('hf:m', [member('http://a/v1', a.model), member('http://b/v1', b.model)], { now: () => t, cooldownMs: 1000 });
    a.setDown(true);
    // Calls a retry would send again: each avoids the replica where it failed, so b takes them.
    for (let i = 0; i < 3; i++) await expect(pool.complete(req(i))).rejects.toThrow(/a is down/);
    expect(pool.endpoints[0]).toMatchObject({ state: 'open', circuitOpens: 1, errors: 3 });
    // While it is out, everything goes to b.
    void pool.complete(req(10));
    void pool.complete(req(11));
    await tick();
    expect(b.pending.length).toBe(2);
    // After the cooldown one probe goes to a; it fails: out again, for twice as long.
    t = 1000;
    await expect(pool.complete(req(12))).rejects.toThrow(/a is down/);
    expect(pool.endpoints[0]).toMatchObject({ state: 'open', circuitOpens: 2 });
    t = 2999;
    void pool.complete(req(13));
    await tick();
    expect(b.pending.length).toBe(3);
    // Back up: the next probe succeeds and a is in service again.
    a.setDown(false);
    t = 3000;
    const probe = pool.complete(req(14));
    await tick();
    expect(a.pending.length).toBe(1);
    expect(pool.endpoints[0].state).toBe('half-open');
    a.answerAll();
    expect((await probe).text).toBe('a');
    expect(pool.endpoints[0].state).toBe('closed');
    expect(describeEndpoints(pool.endpoints)).toBe('servers 5/4err 3');
  });

  it('sends a retried request to another replica than the one it failed on', async () => {
    const a = manual('a');
    const b = manual('b');
    const pool = modelPool('hf:m', [member('http://a/v1', a.model), member('http://b/v1', b.model)]);
    a.setDown(true);
    const r = req(1);
    await expect(pool.complete(r)).rejects.toThrow(/a is down/);
    // b is as idle as a and a comes first, but this request already failed on a.
    const again = pool.complete(r);
    await tick();
    expect(b.pending.length).toBe(1);
    b.answerAll();
    expect((await again).text).toBe('b');
  });

  it('does not count a refusal of the request itself (HTTP 400) against the replica', async () => {
    const bad: LanguageModel = { id: 'x', complete: () => Promise.reject(new ModelCallError('http', 'HTTP 400', { retryable: false, status: 400 })) };
    const pool = modelPool('hf:m', [member('http://a/v1', bad)]);
    for (let i = 0; i < 5; i++) await expect(pool.complete(req(i))).rejects.toThrow(/400/);
    expect(pool.endpoints[0]).toMatchObject({ state: 'closed', errors: 5, circuitOpens: 0 });
  });

  it('when every replica is out, the one back soonest takes the call as its probe', async () => {
    let t = 0;
    const a = manual('a');
    const pool = modelPool('hf:m', [member('http://a/v1', a.model)], { now: () => t, failureThreshold: 1, cooldownMs: 60_000 });
    a.setDown(true);
    await expect(pool.complete(req(1))).rejects.toThrow(/a is down/);
    expect(pool.endpoints[0].state).toBe('open');
    a.setDown(false);
    const call = pool.complete(req(2));
    await tick();
    a.answerAll();
    expect((await call).text).toBe('a');
    expect(pool.endpoints[0].state).toBe('closed');
  });
});
