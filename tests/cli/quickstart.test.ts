import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';

describe('atp-sim quickstart', () => {
  it('compares four topologies offline and writes the report; a rerun skips finished cells', async () => {
    const out = tempDir();
    const first = await cli(['quickstart', '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    for (const name of ['ring lattice', 'small world', 'scale-free', 'random network']) expect(first.stdout).toContain(name);
    const html = readFileSync(join(out, 'topologies', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(existsSync(join(out, 'topologies', 'results.json'))).toBe(true);
    const second = await cli(['quickstart', '--out', out]);
    expect(second.stdout.split('\n').filter((l) => /lattice|world|scale-free|random network/.test(l))).toEqual(
      first.stdout.split('\n').filter((l) => /lattice|world|scale-free|random network/.test(l)),
    );
  });
});
