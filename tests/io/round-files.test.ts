import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlWriter, readJsonl } from '../../src/io/files.ts';
import { RoundFiles } from '../../src/io/round-files.ts';
import { tempDir } from '../helpers/paths.ts';

/** Ten rounds of records, some large enough to be written in several chunks. */
function rounds(): Array<{ decisions: Array<Record<string, unknown>> | null; round: Record<string, unknown> }> {
  return Array.from({ length: 10 }, (_, r) => ({
    decisions: r === 4 ? null : Array.from({ length: r === 7 ? 900 : 30 }, (_, a) => ({ round: r + 1, agent: a, text: 'é"\n'.repeat((a * 37) % 1500) })),
    round: { round: r + 1, violationRate: r / 10 },
  }));
}

describe('the run directory writer', () => {
  it('writes the same bytes as the synchronous JSONL writer, complete once flushed', async () => {
    const dir = tempDir();
    const files = new RoundFiles(join(dir, 'a', 'decisions.jsonl'), join(dir, 'a', 'rounds.jsonl'));
    const decisions = new JsonlWriter(join(dir, 'b', 'decisions.jsonl'));
    const roundLines = new JsonlWriter(join(dir, 'b', 'rounds.jsonl'));
    for (const r of rounds()) {
      files.append(r.decisions, r.round);
      if (r.decisions) decisions.append(r.decisions);
      roundLines.append([r.round]);
    }
    await files.flush();
    for (const name of ['decisions.jsonl', 'rounds.jsonl']) {
      expect(readFileSync(join(dir, 'a', name), 'utf8')).toBe(readFileSync(join(dir, 'b', name), 'utf8'));
    }
    expect(readJsonl(join(dir, 'a', 'rounds.jsonl'))).toHaveLength(10);
    expect(files.roundsWritten).toBe(10);
    await files.close();
    decisions.close();
    roundLines.close();
  });

  it("never shows a round's line before all of that round's decisions are in their file", async () => {
    const dir = tempDir();
    const files = new RoundFiles(join(dir, 'decisions.jsonl'), join(dir, 'rounds.jsonl'));
    const all = rounds();
    const wanted = all.map((r) => r.decisions?.length ?? 0);
    let checks = 0;
    let done = false;
    // Look at both files between the writer's steps, as a process killed at that moment would leave them.
    const watch = (async () => {
      while (!done) {
        const complete = readJsonl<{ round: number }>(join(dir, 'rounds.jsonl')).length;
        const decided = readJsonl<{ round: number }>(join(dir, 'decisions.jsonl'));
        for (let r = 1; r <= complete; r++) expect(decided.filter((d) => d.round === r)).toHaveLength(wanted[r - 1]);
        checks++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    for (const r of all) files.append(r.decisions, r.round);
    await files.flush();
    done = true;
    await watch;
    expect(checks).toBeGreaterThan(1);
    await files.close();
  });

  it('reports a failed write at flush and at the next append, and still closes', async () => {
    const dir = tempDir();
    // /dev/full refuses every write with ENOSPC, like a full disk.
    const files = new RoundFiles('/dev/full', join(dir, 'rounds.jsonl'));
    files.append([{ round: 1, agent: 0 }], { round: 1 });
    await expect(files.flush()).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(() => files.append([{ round: 2, agent: 0 }], { round: 2 })).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    // Nothing after the failed write reached the next file: round 1 is not complete on disk.
    expect(readFileSync(join(dir, 'rounds.jsonl'), 'utf8')).toBe('');
    expect(files.roundsWritten).toBe(0);
    await expect(files.close()).resolves.toBeUndefined();
  });

  it('asks its caller to wait while an earlier round is still being written, so at most two rounds are held', async () => {
    const dir = tempDir();
    const files = new RoundFiles(join(dir, 'decisions.jsonl'), join(dir, 'rounds.jsonl'));
    const all = rounds();
    // Nothing is waiting to be written: the caller goes on at once.
    expect(files.append(all[0].decisions, all[0].round)).toBeUndefined();
    // Round 1 is not written yet: the caller gets a promise that round 1's writes keep.
    const wait = files.append(all[1].decisions, all[1].round);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(readJsonl(join(dir, 'rounds.jsonl'))).toEqual([all[0].round]);
    await files.flush();
    // Once everything is written, the next round does not wait.
    expect(files.append(all[2].decisions, all[2].round)).toBeUndefined();
    await files.close();
    expect(readJsonl(join(dir, 'rounds.jsonl'))).toEqual(all.slice(0, 3).map((r) => r.round));
  });

  it('waits for pending writes when closed', async () => {
    const dir = tempDir();
    const files = new RoundFiles(join(dir, 'decisions.jsonl'), join(dir, 'rounds.jsonl'));
    const all = rounds();
    for (const r of all) files.append(r.decisions, r.round);
    await files.close();
    expect(readJsonl(join(dir, 'rounds.jsonl'))).toEqual(all.map((r) => r.round));
    expect(readJsonl(join(dir, 'decisions.jsonl'))).toEqual(all.flatMap((r) => r.decisions ?? []));
  });
});
