/**
 * A pool of replicas of one model (several vLLM / TGI / llama.cpp servers): each call goes to the
 * replica with the fewest outstanding requests per unit of weight, within each replica's own
 * concurrency limit, and a replica that keeps failing is taken out by a circuit breaker and
 * brought back by a probe.
 *
 * - Least outstanding requests (the "least connections" policy of HAProxy and Envoy's
 *   LEAST_REQUEST): a slow replica keeps its calls longer, so it is chosen less often without
 *   measuring its latency. The weight divides the outstanding count (a replica of weight 2 takes
 *   twice the calls of one of weight 1 when both are busy) and breaks ties (the heavier first,
 *   then the order given, so routing is reproducible on an idle pool).
 * - Circuit breaker (Nygard, "Release It!", 2007; the closed / open / half-open states of
 *   Envoy's outlier detection): `failureThreshold` consecutive retryable failures open the
 *   circuit; after `cooldownMs` one probe call is let through (half-open); its success closes the
 *   circuit, its failure opens it again for twice as long (capped by `maxCooldownMs`). When every
 *   replica is open the call goes to the one whose cooldown ends first, as its probe: a pool that
 *   is down fails through the retry wrapper's bounded backoff, never by waiting forever.
 * - A call that failed on a replica goes elsewhere on its retry when another replica is free
 *   (the retry wrapper passes the same request object again; a WeakMap remembers where it failed).
 *
 * Decisions never depend on which replica answered: the pool sits below the cache, whose key
 * names the pool (index.ts, `cacheBackendId`), not the replica, and replies are the servers'.
 * Waiting calls are served in arrival order (FIFO), like the Limiter.
 */
import type { CompletionRequest, CompletionResult, EndpointStats, LanguageModel } from '../core/types.ts';

export type { EndpointStats };
import { onAbort } from './abort.ts';
import { isAbortError, isRetryable } from './errors.ts';

export interface PoolMember {
  /** Redacted URL, for stats and messages. */
  readonly url: string;
  readonly model: LanguageModel;
  /** Share of the load (> 0, default 1). */
  readonly weight?: number;
  /** Calls in flight at most on this replica (integer >= 1). */
  readonly concurrency: number;
}

export interface PoolOptions {
  /** Consecutive failures that take a replica out (default 3). */
  readonly failureThreshold?: number;
  /** First time out, ms (default 2000); doubled after each failed probe. */
  readonly cooldownMs?: number;
  /** Longest time out, ms (default 60000). */
  readonly maxCooldownMs?: number;
  /** Monotonic ms (tests pass a fake one). */
  readonly now?: () => number;
}

interface Replica {
  readonly member: PoolMember;
  readonly weight: number;
  readonly stats: EndpointStats;
  outstanding: number;
  consecutiveFailures: number;
  openUntil: number;
  cooldownMs: number;
  probing: boolean;
  okCount: number;
}

/** A replica granted to one call; `probe`: the call tests a replica that was out. */
interface Grant {
  readonly r: Replica;
  readonly probe: boolean;
}

interface Waiter {
  readonly request: CompletionRequest;
  readonly resolve: (grant: Grant) => void;
  readonly reject: (err: unknown) => void;
  done: boolean;
  unsubscribe: () => void;
}

export interface ModelPool extends LanguageModel {
  /** Per-replica counters, in the order given. */
  readonly endpoints: readonly EndpointStats[];
}

/** Open replicas past their cooldown become half-open (one probe at a time). */
function usable(r: Replica, t: number): boolean {
  if (r.outstanding >= r.member.concurrency) return false;
  if (r.stats.state === 'closed') return true;
  if (r.probing || t < r.openUntil) return false;
  return true;
}

/**
 * The replica for a call at time `t`, or undefined when every usable one is full: not one where
 * the call already failed (`avoid`), then the fewest outstanding calls per weight, then the heavier.
 */
function pickReplica(replicas: readonly Replica[], avoid: ReadonlySet<Replica> | undefined, t: number): Replica | undefined {
  let best: Replica | undefined;
  let bestScore = Infinity;
  let bestAvoided = true;
  for (const r of replicas) {
    if (!usable(r, t)) continue;
    const avoided = avoid?.has(r) === true;
    const score = r.outstanding / r.weight;
    const better = best === undefined || (bestAvoided && !avoided) || (bestAvoided === avoided && (score < bestScore || (score === bestScore && r.weight > best.weight)));
    if (better) (best = r), (bestScore = score), (bestAvoided = avoided);
  }
  if (best) return best;
  // Every replica is out: the one back soonest takes the call as its probe, when it has room.
  const closedOrFull = replicas.some((r) => r.stats.state === 'closed' || r.probing);
  if (closedOrFull) return undefined;
  const soonest = replicas.reduce((a, b) => (b.openUntil < a.openUntil ? b : a));
  return soonest.outstanding < soonest.member.concurrency ? soonest : undefined;
}

/** Routes calls over `members` (see the top). `id` is the pool's model id. */
export function modelPool(id: string, members: readonly PoolMember[], options: PoolOptions = {}): ModelPool {
  const threshold = options.failureThreshold ?? 3;
  const baseCooldown = options.cooldownMs ?? 2000;
  const maxCooldown = options.maxCooldownMs ?? 60_000;
  const now = options.now ?? (() => performance.now());
  const replicas: Replica[] = members.map((member) => ({
    member,
    weight: member.weight ?? 1,
    stats: { url: member.url, weight: member.weight ?? 1, concurrency: member.concurrency, calls: 0, errors: 0, meanLatencyMs: 0, circuitOpens: 0, state: 'closed' },
    outstanding: 0,
    consecutiveFailures: 0,
    openUntil: 0,
    cooldownMs: baseCooldown,
    probing: false,
    okCount: 0,
  }));
  const failedOn = new WeakMap<CompletionRequest, Set<Replica>>();
  const queue: Waiter[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** The replica for `request` now, or undefined when every usable one is full. */
  const pick = (request: CompletionRequest): Replica | undefined => pickReplica(replicas, failedOn.get(request), now());

  const take = (r: Replica): Grant => {
    r.outstanding++;
    r.stats.calls++;
    if (r.stats.state === 'closed') return { r, probe: false };
    r.stats.state = 'half-open';
    r.probing = true;
    return { r, probe: true };
  };

  /** Serves waiting calls in order while replicas have room; wakes up when a cooldown ends. */
  const pump = (): void => {
    while (queue.length > 0) {
      const head = queue[0];
      if (head.done) {
        queue.shift();
        continue;
      }
      const r = pick(head.request);
      if (!r) break;
      queue.shift();
      head.done = true;
      head.unsubscribe();
      head.resolve(take(r));
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length > 0) {
      const t = now();
      const next = Math.min(...replicas.filter((r) => r.stats.state !== 'closed' && !r.probing).map((r) => r.openUntil));
      if (Number.isFinite(next)) timer = setTimeout(pump, Math.max(1, next - t));
    }
  };

  const acquire = (request: CompletionRequest): Promise<Grant> => {
    if (queue.length === 0) {
      const r = pick(request);
      if (r) return Promise.resolve(take(r));
    }
    if (request.signal?.aborted) return Promise.reject(request.signal.reason);
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = { request, resolve, reject, done: false, unsubscribe: () => {} };
      if (request.signal) {
        const signal = request.signal;
        waiter.unsubscribe = onAbort(signal, () => {
          if (waiter.done) return;
          waiter.done = true;
          reject(signal.reason);
        });
      }
      queue.push(waiter);
    });
  };

  /** Any success (a probe's, or a late reply sent before the circuit opened) puts the replica back. */
  const succeeded = ({ r, probe }: Grant, ms: number): void => {
    r.okCount++;
    r.stats.meanLatencyMs += (ms - r.stats.meanLatencyMs) / r.okCount;
    r.consecutiveFailures = 0;
    if (probe) r.probing = false;
    if (r.stats.state !== 'closed') {
      r.stats.state = 'closed';
      r.cooldownMs = baseCooldown;
    }
  };

  const failed = ({ r, probe }: Grant, request: CompletionRequest, err: unknown): void => {
    r.stats.errors++;
    if (probe) r.probing = false;
    // A reply the server refused for the request's own sake (400, 401) says nothing of its health.
    if (!isRetryable(err)) return;
    let set = failedOn.get(request);
    if (!set) failedOn.set(request, (set = new Set()));
    set.add(r);
    r.consecutiveFailures++;
    if (probe || (r.stats.state === 'closed' && r.consecutiveFailures >= threshold)) {
      if (probe) r.cooldownMs = Math.min(maxCooldown, r.cooldownMs * 2);
      r.stats.state = 'open';
      r.stats.circuitOpens++;
      r.openUntil = now() + r.cooldownMs;
    }
  };

  return {
    id,
    endpoints: replicas.map((r) => r.stats),
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const grant = await acquire(request);
      const { r } = grant;
      const started = now();
      try {
        const result = await r.member.model.complete(request);
        succeeded(grant, now() - started);
        return result;
      } catch (err) {
        if (!(isAbortError(err) || request.signal?.aborted)) failed(grant, request, err);
        else if (grant.probe) r.probing = false;
        throw err;
      } finally {
        r.outstanding--;
        pump();
      }
    },
    async close(): Promise<void> {
      if (timer) clearTimeout(timer);
      await Promise.all(replicas.map((r) => r.member.model.close?.()));
    },
  };
}

/**
 * `servers 812 1630/3err(open) 0(half-open)` for the progress line: calls per server in the
 * order given (errors and state when any). Short, so it survives the line's 80 columns off a
 * terminal; the manifest names the servers.
 */
export function describeEndpoints(endpoints: readonly EndpointStats[]): string {
  const parts = endpoints.map((e) => `${e.calls}${e.errors ? `/${e.errors}err` : ''}${e.state === 'closed' ? '' : `(${e.state})`}`);
  return `servers ${parts.join(' ')}`;
}
