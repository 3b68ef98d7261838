/**
 * Merging response caches: the union of the replies under their own keys, the first file's
 * reply kept for a key two files answer differently, nothing half-written on failure.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../src/core/types.ts';
import { ResponseCache, cacheKey } from '../../src/llm/cache.ts';
import { mergeCaches } from '../../src/llm/cache-merge.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';

const req = (q: string): CompletionRequest => ({ messages: [{ role: 'user', content: q }], seed: 1 });
const source = { backend: 'hf:endpoint=http://h/v1/chat/completions', model: 'hf:m' };

/** A cache file holding `replies` (question -> reply). */
function cacheWith(path: string, replies: Record<string, string>): string {
  const c = ResponseCache.open(path);
  for (const [q, text] of Object.entries(replies)) c.put(cacheKey(source.backend, source.model, req(q)), { text }, source);
  c.close();
  return path;
}

function lookup(path: string, q: string): string | undefined {
  const c = ResponseCache.open(path);
  try {
    return c.get(cacheKey(source.backend, source.model, req(q)))?.text;
  } finally {
    c.close();
  }
}

describe('mergeCaches', () => {
  it('holds every reply of every input under its own key', () => {
    const dir = tempDir();
    const a = cacheWith(join(dir, 'a.sqlite'), { q1: 'r1', q2: 'r2' });
    const b = cacheWith(join(dir, 'b.sqlite'), { q2: 'r2', q3: 'r3' });
    const out = join(dir, 'c.sqlite');
    expect(mergeCaches([a, b], out)).toEqual({ replies: 3, added: 3, conflicts: 0 });
    expect(['q1', 'q2', 'q3'].map((q) => lookup(out, q))).toEqual(['r1', 'r2', 'r3']);
    expect(readdirSync(dir).sort()).toEqual(['a.sqlite', 'b.sqlite', 'c.sqlite']);
  });

  it('keeps the first reply when two files answer one request differently, and counts it', () => {
    const dir = tempDir();
    const a = cacheWith(join(dir, 'a.sqlite'), { q: 'first' });
    const b = cacheWith(join(dir, 'b.sqlite'), { q: 'second' });
    expect(mergeCaches([a, b], join(dir, 'c.sqlite'))).toMatchObject({ replies: 1, conflicts: 1 });
    expect(lookup(join(dir, 'c.sqlite'), 'q')).toBe('first');
  });

  it('merges into an existing --out, whose replies come first', () => {
    const dir = tempDir();
    const out = cacheWith(join(dir, 'out.sqlite'), { q: 'kept', q0: 'r0' });
    const a = cacheWith(join(dir, 'a.sqlite'), { q: 'other', q1: 'r1' });
    expect(mergeCaches([a], out)).toEqual({ replies: 3, added: 1, conflicts: 1 });
    expect(['q', 'q0', 'q1'].map((q) => lookup(out, q))).toEqual(['kept', 'r0', 'r1']);
  });

  it('leaves --out as it was and no temporary file when an input is not a cache', () => {
    const dir = tempDir();
    const out = cacheWith(join(dir, 'out.sqlite'), { q: 'r' });
    const before = readFileSync(out);
    writeFileSync(join(dir, 'notes.sqlite'), 'not a database at all, just text');
    const a = cacheWith(join(dir, 'a.sqlite'), { q1: 'r1' });
    expect(() => mergeCaches([a, join(dir, 'notes.sqlite')], out)).toThrow(/^cache merge: .*fix: give cache\.sqlite files written by atp-sim/);
    expect(readFileSync(out).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('merging'))).toEqual([]);
  });

  it('refuses a missing input and an --out that is also an input', () => {
    const dir = tempDir();
    const a = cacheWith(join(dir, 'a.sqlite'), { q: 'r' });
    expect(() => mergeCaches([join(dir, 'nope.sqlite')], join(dir, 'c.sqlite'))).toThrow(/no cache file at .*nope\.sqlite/);
    expect(() => mergeCaches([a], a)).toThrow(/--out .*a\.sqlite is also an input/);
    expect(existsSync(join(dir, 'c.sqlite'))).toBe(false);
  });
});

describe('atp-sim cache merge', () => {
  it('merges the files and says how many replies the result holds', async () => {
    const dir = tempDir();
    const a = cacheWith(join(dir, 'a.sqlite'), { q1: 'r1' });
    const b = cacheWith(join(dir, 'b.sqlite'), { q2: 'r2' });
    const r = await cli(['cache', 'merge', a, b, '--out', join(dir, 'c.sqlite')]);
    expect(r).toEqual({ code: 0, stderr: '', stdout: `merged 2 cache(s) into ${join(dir, 'c.sqlite')}: 2 replies (2 added)\n` });
  });

  it('exits 2 with one line without --out or with an unknown subcommand', async () => {
    const without = await cli(['cache', 'merge', 'a.sqlite']);
    expect([without.code, without.stderr]).toEqual([2, 'atp-sim: cache merge: --out PATH is required (the merged cache file)\n']);
    const unknown = await cli(['cache', 'join', 'a.sqlite', '--out', 'b.sqlite']);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'atp-sim: cache: unknown subcommand "join" (fix: atp-sim cache merge a.sqlite b.sqlite --out c.sqlite)\n']);
  });
});
