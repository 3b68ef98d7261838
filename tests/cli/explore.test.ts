/** `atp-sim explore`: writes one page for a run or a sweep; a wrong argument is one line, exit 2, nothing written. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPLORE_HELP } from '../../src/cli/explore.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { cascadeRun } from '../report/explorer/fixture.ts';

describe('atp-sim explore', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = await cascadeRun();
  });

  it('writes <run>/explorer.html and says what it drew', async () => {
    const res = await cli(['explore', runDir]);
    expect(res.code, res.stderr).toBe(0);
    const out = join(runDir, 'explorer.html');
    expect(res.stdout).toBe(`Run cascade: 1 run(s) in 1 condition(s), 12 agents drawn\nexplorer: ${out}\n`);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('has its help, also as atp-sim help explore, and a line in the main help', async () => {
    expect(await cli(['help', 'explore'])).toEqual({ code: 0, stdout: EXPLORE_HELP, stderr: '' });
    expect((await cli(['--help'])).stdout).toContain('  explore <dir>              An interactive, offline HTML explorer of a run or a sweep\n');
  });

  it('writes where --out says', async () => {
    const out = join(tempDir(), 'page.html');
    const res = await cli(['explore', runDir, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it.each([
    [['explore'], 'atp-sim: explore: expected one run or sweep directory; got 0 (see atp-sim explore --help)'],
    [['explore', '/no/such/run'], 'atp-sim: explore: /no/such/run does not exist (fix: give a run directory or a sweep directory)'],
    [['explore', 'RUN', '--max-runs', '0'], 'atp-sim: --max-runs: must be a whole number of at least 1; got "0"'],
    [['explore', 'RUN', '--colour', 'red'], /^atp-sim: Unknown option '--colour'/],
  ])('refuses %j in one line with exit 2, writing nothing', async (argv, message) => {
    const empty = tempDir();
    const res = await cli([...argv.map((a) => (a === 'RUN' ? runDir : a)), '--out', join(empty, 'x.html')]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    if (typeof message === 'string') expect(res.stderr.trim()).toBe(message);
    else expect(res.stderr.trim()).toMatch(message);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('refuses a folder that is neither a run nor a sweep', async () => {
    const dir = tempDir();
    const res = await cli(['explore', dir]);
    expect([res.code, res.stderr.trim()]).toEqual([2, `atp-sim: explore: ${dir} is neither a run directory (manifest.json) nor a sweep directory (sweep.json) (fix: give a folder made by atp-sim run or atp-sim sweep)`]);
    expect(readdirSync(dir)).toEqual([]);
  });
});
