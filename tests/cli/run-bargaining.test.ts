/** `atp-sim run` on a bargaining scenario: the game's own columns in the table; a bad setting is one line and exit 2. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

const PRICE = readFileSync(join(REPO_ROOT, 'scenarios/bargaining/price.yaml'), 'utf8');

async function run(text: string) {
  const dir = tempDir();
  const file = join(dir, 'price.yaml');
  writeFileSync(file, text);
  const out = join(dir, 'runs');
  return { ...(await cli(['run', file, '--out', out])), out };
}

describe('atp-sim run with group bargaining', () => {
  it('prints violation rates per role, the value shown, the mean proposal, the evaluated value and the feedback', async () => {
    const { code, stdout } = await run(PRICE);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.find((l) => l.startsWith('round'))).toMatch(/hikers violating\s+pressers violating\s+value shown\s+mean proposal\s+evaluated\s+feedback$/);
    // 6 hikers step up, 2 pressers down (400 each): mean 12200; then the pressers follow the hikers up.
    expect(lines.find((l) => l.startsWith('1 '))).toMatch(/0\.0%\s+0\.0%\s+12000\s+12200\s+12200\s+2\.5%$/);
    expect(lines.find((l) => l.startsWith('2 '))).toMatch(/25\.0%\s+2\/8 .*0\.0%\s+100\.0%\s+12200\s+12600\s+12600\s+5\.0%$/);
  });

  it('rejects a bad ratio with one line naming the field, the value and the fix, exit 2, writing nothing', async () => {
    const { code, stderr, out } = await run(PRICE.replace('ratio: "6:2"', 'ratio: "six to two"'));
    expect(code).toBe(2);
    // The problem on one line naming the file, with its fix; no stack trace.
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^atp-sim: .*price\.yaml: game\.ratio: must be hikers:pressers, two whole numbers not both 0; got "six to two" \(fix: e\.g\. "3:5" \(quote it in YAML\)\)$/),
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects hikers beyond the population the same way', async () => {
    const { code, stderr } = await run(PRICE.replace('ratio: "6:2"', 'hikers: 9'));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^atp-sim: .*price\.yaml: game\.hikers: must be at most the population size 8; got 9 \(fix: a number from 0 to 8\)$/)]);
  });
});
