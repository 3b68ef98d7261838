import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { CLASSIC_YAML } from '../helpers/scenarios.ts';

const GOOD = CLASSIC_YAML;

async function runBad(text: string) {
  const dir = tempDir();
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, text);
  const out = join(dir, 'runs');
  const res = await cli(['run', file, '--out', out]);
  return { ...res, out };
}

describe('atp-sim run rejects bad input before writing anything', () => {
  it('runs a good scenario (control)', async () => {
    const { code, stdout, out } = await runBad(GOOD);
    expect(code).toBe(0);
    expect(stdout).toContain('violation rate');
    expect(readdirSync(out).filter((f) => f !== 'cache.sqlite').length).toBe(1);
  });

  it('malformed YAML names the line', async () => {
    const { code, stderr, out } = await runBad('name: demo\nkind: [threshold-game\n');
    expect(code).toBe(2);
    expect(stderr).toMatch(/line \d+/);
    expect(existsSync(out)).toBe(false);
  });

  it('lists every problem, one line each, with the field and a fix', async () => {
    const bad = GOOD.replace('threshold: 2', 'threshold: 9\n  colour: red').replace('high: 1.2', 'high: "lots"');
    const { code, stderr, out } = await runBad(bad);
    expect(code).toBe(2);
    expect(stderr).toContain('game.threshold: must be at most the population size 4; got 9');
    expect(stderr).toContain('game.colour: is not a known field');
    expect(stderr).toContain('game.rewards.high: must be a number; got "lots"');
    expect(stderr.split('\n').filter((l) => l.includes('scenario.yaml: game.')).length).toBe(3);
    expect(existsSync(out)).toBe(false);
  });

  it('suggests the closest known field for a typo', async () => {
    const { code, stderr } = await runBad(GOOD.replace('rounds: 2', 'rouns: 2'));
    expect(code).toBe(2);
    expect(stderr).toContain('rouns: is not a known field (fix: did you mean `rounds`?');
  });

  it('a missing scenario file is a clear error', async () => {
    const dir = tempDir();
    const res = await cli(['run', join(dir, 'nope.yaml'), '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('scenario file not found');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('an LLM scenario without a model says how to give one', async () => {
    const { code, stderr, out } = await runBad(GOOD.replace('policy: { kind: imitate-best }', 'policy: llm'));
    expect(code).toBe(2);
    expect(stderr).toContain('pass --model');
    expect(existsSync(out)).toBe(false);
  });

  it('a bad model (missing GGUF file, unreadable script) fails before anything is written', async () => {
    const llm = GOOD.replace('policy: { kind: imitate-best }', 'policy: llm');
    const dir = tempDir();
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, llm);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    for (const model of [`local:${join(dir, 'missing.gguf')}`, `scripted:${join(dir, 'bad.json')}`]) {
      const out = join(dir, `runs-${model.split(':')[0]}`);
      const res = await cli(['run', file, '--model', model, '--out', out]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(/missing\.gguf|bad\.json/);
      expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('cache')) : []).toEqual([]);
    }
  });
});
