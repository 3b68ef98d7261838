import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachJsonl, readJson, readJsonl, truncateJsonl, writeFileAtomic } from '../../src/io/files.ts';
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

  it('refuse a broken line in the middle of a file, naming the file and the line', () => {
    const file = join(tempDir(), 'c.jsonl');
    writeFileSync(file, '{"round": 1}\n{"round": 2}\n{"round": 3, "te\n{"round": 4}\n');
    expect(() => readJsonl(file)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE', message: expect.stringMatching(new RegExp(`^${file}: line 3 is not valid JSON`)) }));
    // The streaming reader (report, resume) says the same, even past a chunk boundary.
    const big = join(tempDir(), 'd.jsonl');
    const rows = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(1000) }));
    rows[1500] = '{"i": 1500, "pad": "xx';
    writeFileSync(big, rows.map((r) => `${r}\n`).join(''));
    let seen = 0;
    expect(() => forEachJsonl(big, () => void seen++)).toThrow(/line 1501 is not valid JSON/);
    expect(seen).toBe(1500);
  });

  it('tolerate a broken last line even when it ends with a newline', () => {
    const file = join(tempDir(), 'e.jsonl');
    writeFileSync(file, '{"round": 1}\n{"round": 2, "x"\n\n');
    expect(readJsonl(file)).toEqual([{ round: 1 }]);
  });
});

describe('JSON files', () => {
  it('name the file when it does not parse (no bare SyntaxError)', () => {
    const file = join(tempDir(), 'manifest.json');
    writeFileSync(file, '{"id": "a", "sta');
    expect(() => readJson(file)).toThrow(expect.objectContaining({ code: 'CORRUPT_FILE', message: expect.stringMatching(new RegExp(`^${file}: not valid JSON .*fix: restore the file`)) }));
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
