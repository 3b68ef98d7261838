/**
 * Response cache in SQLite: the real reproducibility guarantee (providers may ignore `seed`).
 *
 * Key: sha256 of a canonical JSON (sorted keys, absent = null) of everything that decides the
 * reply: the backend's identity (which server or provider answers: see `cacheBackendId` in
 * index.ts), model, temperature, max tokens, JSON schema, extra fields, messages, seed and the
 * decision's options (the local backend builds its grammar from them). Never the origin: the same
 * prompt from another round or agent is the same request.
 *
 * Sharing across backends is an explicit opt-in (`share`, `--cache-share`): every reply is also
 * stored under a second key without the backend's identity, and a shared lookup that misses its
 * own backend's key takes the earliest reply any backend gave to the same model and request.
 *
 * Durability: each reply is committed on its own, in WAL mode with synchronous=FULL, before the
 * caller sees it, so a killed process (or a lost machine) keeps every reply it returned. An fsync
 * per call is noise next to a model call.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AtpSimError } from '../core/errors.ts';
import type { CallStats, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { describeOrigin } from './errors.ts';
import { DEFAULT_LOCK_WAIT_MS, importPending, isLockError, savePending, whileLocked } from './cache-busy.ts';

export type CacheMode = 'read-write' | 'replay' | 'off';

/**
 * Bump when the key's content or meaning changes: old entries then simply miss.
 * 2: the backend identity names the endpoint URL or provider (version 1 keys of one model
 * served at two endpoints collided, so one server's replies answered for another).
 */
const KEY_VERSION = 2;

/** The backend identity of shared keys: any server or provider of the model. */
const ANY_BACKEND = 'shared:any-backend';

/** JSON with object keys sorted at every level and `undefined` fields dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** The cache key of a request sent to `model` through `backend` (hex sha256). */
export function cacheKey(backend: string, model: string, request: CompletionRequest): string {
  const extra = request.extra && Object.keys(request.extra).length > 0 ? request.extra : null;
  const identity = {
    v: KEY_VERSION,
    backend,
    model,
    temperature: request.temperature ?? null,
    maxTokens: request.maxTokens ?? null,
    jsonSchema: request.jsonSchema ?? null,
    extra,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    seed: request.seed ?? null,
    options: request.options ?? null,
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}

/** The key of the same request to `model` from any backend (see `share`). */
export function sharedCacheKey(model: string, request: CompletionRequest): string {
  return cacheKey(ANY_BACKEND, model, request);
}

interface Row {
  text: string;
  reasoning: string | null;
  finish_reason: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  usage_estimated: number;
}

/** How long SQLite itself retries a locked database (blocking the process); longer waits are cache-busy.ts's. */
const DEFAULT_BUSY_TIMEOUT_MS = 1_000;

export interface ResponseCacheOptions {
  /** SQLite's busy timeout per attempt (ms, default 1000). */
  readonly busyTimeoutMs?: number;
  /** Longest wait for a cache locked by another process before giving up (ms, default 10 min). */
  readonly lockWaitMs?: number;
}

interface PendingEntry {
  readonly key: string;
  readonly backend: string;
  readonly model: string;
  readonly result: CompletionResult;
  /** The key without the backend (see getShared); null for entries never shared. */
  readonly sharedKey?: string | null;
}

/** A SQLite file of model replies. Holds an open database: close it. */
export class ResponseCache {
  readonly path: string;
  readonly lockWaitMs: number;
  /** Replies waiting for a locked cache, served from memory meanwhile. */
  private readonly pending = new Map<string, PendingEntry>();
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string], Row>;
  private readonly getSharedStmt: Database.Statement<[string], Row>;
  private readonly putStmt: Database.Statement<unknown[]>;

  private constructor(path: string, db: Database.Database, lockWaitMs: number) {
    this.path = path;
    this.lockWaitMs = lockWaitMs;
    this.db = db;
    this.getStmt = db.prepare<[string], Row>(
      'SELECT text, reasoning, finish_reason, prompt_tokens, completion_tokens, usage_estimated FROM responses WHERE key = ?',
    );
    // Earliest first, so a shared lookup answers the same way every time.
    this.getSharedStmt = db.prepare<[string], Row>(
      'SELECT text, reasoning, finish_reason, prompt_tokens, completion_tokens, usage_estimated FROM responses WHERE shared_key = ? ORDER BY created_at, rowid LIMIT 1',
    );
    this.putStmt = db.prepare(
      `INSERT OR REPLACE INTO responses
         (key, backend, model, text, reasoning, finish_reason, prompt_tokens, completion_tokens, usage_estimated, created_at, shared_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Opens (creating it and its directory if needed) the cache at `path`. */
  static open(path: string, options: ResponseCacheOptions = {}): ResponseCache {
    let db: Database.Database;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // Several processes of a sweep may share one cache file; longer locks: see store().
      db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
      db.exec(`CREATE TABLE IF NOT EXISTS responses (
        key TEXT PRIMARY KEY,
        backend TEXT NOT NULL,
        model TEXT NOT NULL,
        text TEXT NOT NULL,
        reasoning TEXT,
        finish_reason TEXT,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        usage_estimated INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        shared_key TEXT
      )`);
      // Files made before shared keys: add the column (their rows have none and are never shared).
      const columns = db.prepare('PRAGMA table_info(responses)').all() as Array<{ name: string }>;
      if (!columns.some((c) => c.name === 'shared_key')) db.exec('ALTER TABLE responses ADD COLUMN shared_key TEXT');
      db.exec('CREATE INDEX IF NOT EXISTS responses_shared_key ON responses (shared_key)');
    } catch (err) {
      throw new AtpSimError(
        'INVALID_ARGUMENT',
        `ResponseCache.open: cannot open the response cache at ${path}: ${(err as Error).message}. ` +
          'Fix: check that the directory is writable and the file is a SQLite database made by atp-sim.',
        [],
        { cause: err },
      );
    }
    const cache = new ResponseCache(path, db, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
    cache.importPending();
    return cache;
  }

  /** Stores the replies an earlier process could not write because the cache was locked. */
  private importPending(): void {
    try {
      importPending(this.path, (entries) => {
        this.db.transaction(() => {
          for (const e of entries as PendingEntry[]) {
            if (e && typeof e.key === 'string' && e.result && typeof e.result.text === 'string') this.put(e.key, e.result, e, typeof e.sharedKey === 'string' ? e.sharedKey : null);
          }
        })();
      });
    } catch (err) {
      if (!isLockError(err)) throw err; // still locked: the claimed file is imported next time
    }
  }

  /** The stored reply for `key` (or one waiting to be stored), or undefined. */
  get(key: string): CompletionResult | undefined {
    const waiting = this.pending.get(key);
    if (waiting) return waiting.result;
    return fromRow(this.getStmt.get(key));
  }

  /** The earliest reply stored under `sharedKey` by any backend, or undefined. */
  getShared(sharedKey: string): CompletionResult | undefined {
    return fromRow(this.getSharedStmt.get(sharedKey));
  }

  /** Stores a reply (committed before returning), under its key and its shared key. */
  put(key: string, result: CompletionResult, source: { backend: string; model: string }, sharedKey: string | null = null): void {
    this.putStmt.run(
      key,
      source.backend,
      source.model,
      result.text,
      result.reasoning ?? null,
      result.finishReason ?? null,
      result.usage?.promptTokens ?? null,
      result.usage?.completionTokens ?? null,
      result.usage?.estimated ? 1 : 0,
      new Date().toISOString(),
      sharedKey,
    );
  }

  /**
   * Stores a reply, waiting (with backoff and a log line) while another process holds the cache.
   * Meanwhile the reply is served from memory; if the cache stays locked past `lockWaitMs`, it is
   * saved to the side file for the next process and AtpSimError(CACHE_LOCKED) is thrown.
   */
  async store(
    key: string,
    result: CompletionResult,
    source: { backend: string; model: string },
    log?: { warn(obj: object, msg: string): void },
    sharedKey: string | null = null,
  ): Promise<void> {
    const entry: PendingEntry = { key, backend: source.backend, model: source.model, result, sharedKey };
    this.pending.set(key, entry);
    try {
      await whileLocked(() => this.put(key, result, source, sharedKey), { path: this.path, maxWaitMs: this.lockWaitMs, log, what: 'store a reply' });
    } catch (err) {
      // Saved unless close() already saved it (the run stopped while this call waited).
      if (this.pending.get(key) === entry) savePending(this.path, [entry]);
      throw err;
    } finally {
      if (this.pending.get(key) === entry) this.pending.delete(key);
    }
  }

  /** The stored reply for `key`, waiting while another process holds the cache (see store()). */
  lookup(key: string, log?: { warn(obj: object, msg: string): void }): Promise<CompletionResult | undefined> {
    return whileLocked(() => this.get(key), { path: this.path, maxWaitMs: this.lockWaitMs, log, what: 'read a reply' });
  }

  /** The earliest reply any backend stored under `sharedKey`, waiting out a locked cache (see store()). */
  lookupShared(sharedKey: string, log?: { warn(obj: object, msg: string): void }): Promise<CompletionResult | undefined> {
    return whileLocked(() => this.getShared(sharedKey), { path: this.path, maxWaitMs: this.lockWaitMs, log, what: 'read a reply' });
  }

  /** Number of stored replies. */
  get size(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM responses').get() as { n: number }).n;
  }

  /** Closes the database; replies still waiting for a locked cache go to the side file. */
  close(): void {
    savePending(this.path, [...this.pending.values()]);
    this.pending.clear();
    if (this.db.open) this.db.close();
  }
}

function fromRow(row: Row | undefined): CompletionResult | undefined {
  if (!row) return undefined;
  return {
    text: row.text,
    ...(row.reasoning !== null ? { reasoning: row.reasoning } : {}),
    ...(row.finish_reason !== null ? { finishReason: row.finish_reason } : {}),
    ...(row.prompt_tokens !== null && row.completion_tokens !== null
      ? {
          usage: {
            promptTokens: row.prompt_tokens,
            completionTokens: row.completion_tokens,
            ...(row.usage_estimated ? { estimated: true } : {}),
          },
        }
      : {}),
  };
}

export interface CacheOptions {
  readonly mode: CacheMode;
  readonly stats: CallStats;
  /** Backend identity in the key (`hf:provider=auto`, `hf:endpoint=<url>`, `local`, ...); the model part is `model.id`. */
  readonly backendId: string;
  /** Answer from replies any backend gave to the same model and request (opt-in; see the top). */
  readonly share?: boolean;
  /** Where waits for a cache locked by another process are reported. */
  readonly log?: { warn(obj: object, msg: string): void };
  /**
   * How the caller's user sets the mode, named in a replay miss with the mode after it (the CLI:
   * `--cache-mode`; default `cache mode`, as a library caller sets `cache: { mode }`). Not
   * `--replay`, which answers from a run directory and never reaches the cache.
   */
  readonly setting?: string;
}

function preview(request: CompletionRequest): string {
  const last = request.messages[request.messages.length - 1]?.content ?? '';
  const flat = last.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}...` : flat;
}

/**
 * Wraps a model with the cache. `read-write`: hits are returned (`cached: true`) without calling
 * the model; misses are stored after success (failures never; `finish_reason: length` replies
 * are data and are stored). `replay`: a miss is an error, the model is never called. `off`: the
 * model itself. Identical concurrent requests may both reach the model; the second write wins
 * with an equivalent reply. The cache is not closed with the model (its owner closes it).
 */
export function withCache(model: LanguageModel, cache: ResponseCache, options: CacheOptions): LanguageModel {
  const { mode, stats, backendId, share = false } = options;
  if (mode === 'off') return model;
  const source = { backend: backendId, model: model.id };
  return {
    id: model.id,
    close: model.close ? () => model.close!() : undefined,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const key = cacheKey(backendId, model.id, request);
      const shared = sharedCacheKey(model.id, request);
      const hit = (await cache.lookup(key, options.log)) ?? (share ? await cache.lookupShared(shared, options.log) : undefined);
      if (hit) {
        stats.cacheHits++;
        return { ...hit, cached: true };
      }
      if (mode === 'replay') {
        const setting = options.setting ?? 'cache mode';
        throw new AtpSimError(
          'REPLAY_MISS',
          `${setting} replay: no cached reply for ${describeOrigin(request.origin)} (${model.id}; last message: "${preview(request)}") in ${cache.path}. ` +
            'Replay makes no model calls, so every request must be exactly one that was recorded. ' +
            `Fix: rerun with ${setting} read-write to call the model, or replay with the same scenario, model settings and seed that produced the cache.`,
        );
      }
      const result = await model.complete(request);
      await cache.store(key, result, source, options.log, shared);
      return result;
    },
  };
}
