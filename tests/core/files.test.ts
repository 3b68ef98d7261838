import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonl, truncateJsonl, writeFileAtomic } from '../../src/io/files.ts';
import { tempDir } from '../helpers/paths.ts';

describe('JSONL files', () => {
  it('read complete lines across chunk boundaries and stop at a torn tail', () => {
    const file = join(tempDir(), 'a.jsonl');
    const rows = Array.from({ length: 3000 }, (_, i) => ({ round: Math.floor(i / 100), text: 'é'.repeat(i % 700) }));
    writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join('') + '{"round": 99, "te');
    expect(readJsonl(file)).toEqual(rows);
  });

  it('truncate to the prefix of kept rows, dropping later rounds and a torn tail', () => {
    const file = join(tempDir(), 'b.jsonl');
    const rows = Array.from({ length: 50 }, (_, i) => ({ round: 1 + Math.floor(i / 10), i }));
    writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    appendFileSync(file, '{"round": 6, "i"');
    expect(truncateJsonl<{ round: number }>(file, (r) => r.round <= 3)).toBe(30);
    expect(readFileSync(file, 'utf8')).toBe(rows.slice(0, 30).map((r) => `${JSON.stringify(r)}\n`).join(''));
  });
});

describe('atomic writes', () => {
  it('that fail leave no temporary file behind and say why in one line', () => {
    const dir = tempDir();
    const target = join(dir, 'report.html');
    mkdirSync(target); // renaming the temporary file onto a folder fails
    expect(() => writeFileAtomic(target, 'x'.repeat(100_000), 'report')).toThrow(`report ${target}: is a folder (fix: give a file path, not a folder)`);
    expect(readdirSync(dir)).toEqual(['report.html']);
  });
});
