/**
 * Where a run writes, and what it says when it cannot: names stay inside --out, a bad --out or
 * scenario path is one line with exit 2 and nothing left behind, a replay names its source.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { atpDir, tempDir } from '../helpers/paths.ts';
import { CLASSIC_YAML } from '../helpers/scenarios.ts';
import { startOpenAiServer } from '../helpers/openai-server.ts';
import { ResponseCache } from '../../src/llm/cache.ts';

const GOOD = CLASSIC_YAML.replace('rounds: 2', 'rounds: 2\nseed: 1');
const LLM = GOOD.replace('policy: { kind: imitate-best }', 'policy: llm');

function setup(text = GOOD) {
  const dir = tempDir();
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

/** A path this process cannot create a folder at (as root, chmod does not stop writes: /sys does). */
const READ_ONLY = '/sys/atp-sim-read-only-test';
let readOnlyWorks = false;
try {
  mkdirSync(READ_ONLY);
} catch {
  readOnlyWorks = true;
}

describe('names become folder names inside --out, and nothing else', () => {
  it('refuses a scenario name that climbs out of --out', async () => {
    const { dir, file } = setup(GOOD.replace('name: demo', 'name: ../../evil/x'));
    const res = await cli(['run', file, '--out', join(dir, 'a', 'b', 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toContain('name: must be a folder name of letters, digits, . _ - (no / or ..); got "../../evil/x" (fix: e.g. name: my-game)');
    expect(existsSync(join(dir, 'evil'))).toBe(false);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });

  it('refuses an --id that climbs out of --out', async () => {
    const { dir, file } = setup();
    const res = await cli(['run', file, '--out', join(dir, 'a', 'runs'), '--id', '../../evil2']);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe('atp-sim: --id: must be a folder name of letters, digits, . _ - (no / or ..); got "../../evil2" (fix: e.g. my-run-1)');
    expect(readdirSync(dir)).toEqual(['scenario.yaml']);
  });

  it('refuses 300-character names with their length, not ENAMETOOLONG', async () => {
    const { dir, file } = setup(GOOD.replace('name: demo', `name: ${'x'.repeat(300)}`));
    const res = await cli(['run', file, '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toContain('name: must be at most 100 characters (it names a folder); got 300 characters');
    const byId = await cli(['run', setup().file, '--out', join(dir, 'runs'), '--id', 'y'.repeat(300)]);
    expect(byId.code).toBe(2);
    expect(oneLine(byId.stderr)).toContain('--id: must be at most 100 characters');
    writeFileSync(join(dir, 'sweep.yaml'), `name: ${'z'.repeat(300)}\nbase: scenario.yaml\ngrid: {}\nreplicates: 1\n`);
    const sweep = await cli(['sweep', join(dir, 'sweep.yaml'), '--out', join(dir, 'runs')]);
    expect(sweep.code).toBe(2);
    expect(oneLine(sweep.stderr)).toContain('name: must be at most 100 characters');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });
});

describe('a bad --out or scenario path is one line, exit 2, nothing written', () => {
  it('a folder given as the scenario', async () => {
    const { dir } = setup();
    const res = await cli(['run', dir, '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(`atp-sim: ${dir}: is a folder, not a scenario file (fix: give a .yaml or .json file; shipped scenarios are under scenarios/)`);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('--out that is a file (run, sweep, import-atp)', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'a-file');
    writeFileSync(out, 'not a folder');
    writeFileSync(join(dir, 'sweep.yaml'), 'name: mini\nbase: scenario.yaml\ngrid: {}\nreplicates: 1\n');
    for (const argv of [
      ['run', file, '--out', out],
      ['sweep', join(dir, 'sweep.yaml'), '--out', out],
      ['import-atp', join(atpDir('data'), 'ma_templates.json'), '--out', out],
    ]) {
      const res = await cli(argv);
      expect(res.code, argv[0]).toBe(2);
      expect(oneLine(res.stderr)).toBe(`atp-sim: --out ${argv[0] === 'import-atp' ? out : out}: a file is in the way where a folder is needed (fix: choose another path, or move the file)`);
    }
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'scenario.yaml', 'sweep.yaml']);
  });

  it('--out that is a dangling symbolic link', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'link');
    symlinkSync(join(dir, 'gone'), out);
    const res = await cli(['run', file, '--out', out]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(`atp-sim: --out ${out}: is a symbolic link to ${join(dir, 'gone')}, which does not exist (fix: create ${join(dir, 'gone')}, or give another folder)`);
  });

  it.skipIf(!readOnlyWorks)('a read-only --out (run, sweep, import-atp)', async () => {
    const { dir, file } = setup();
    writeFileSync(join(dir, 'sweep.yaml'), 'name: mini\nbase: scenario.yaml\ngrid: {}\nreplicates: 1\n');
    for (const argv of [
      ['run', file, '--out', READ_ONLY],
      ['sweep', join(dir, 'sweep.yaml'), '--out', READ_ONLY],
      ['import-atp', join(atpDir('data'), 'ma_templates.json'), '--out', READ_ONLY],
    ]) {
      const res = await cli(argv);
      expect(res.code, argv[0]).toBe(2);
      expect(oneLine(res.stderr)).toBe(`atp-sim: --out ${READ_ONLY}: cannot write there (permission denied or a read-only file system) (fix: choose a folder you can write to)`);
    }
  });

  it('report --out that is a folder, leaving no temporary file behind', async () => {
    const { dir, file } = setup();
    expect((await cli(['run', file, '--out', join(dir, 'runs'), '--id', 'r'])).code).toBe(0);
    const target = join(dir, 'reports');
    mkdirSync(target);
    const res = await cli(['report', join(dir, 'runs', 'r'), '--out', target]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(`atp-sim: output file ${target}: is a folder (fix: give a file path, not a folder)`);
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('--replay', () => {
  async function recorded() {
    const { dir, file } = setup(LLM);
    writeFileSync(join(dir, 'replies.json'), JSON.stringify({ rounds: [], default: '{"choice": "invest"}' }));
    const res = await cli(['run', file, '--model', `scripted:${join(dir, 'replies.json')}`, '--out', join(dir, 'runs'), '--id', 'src']);
    expect(res.code).toBe(0);
    return { dir, file, src: join(dir, 'runs', 'src') };
  }

  it('of a folder that does not exist fails before a run directory is made', async () => {
    const { dir, file } = setup(LLM);
    const res = await cli(['run', file, '--replay', join(dir, 'nonexistent'), '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toContain('not a run directory with recorded decisions (no manifest.json; fix: give a run directory made by atp-sim run)');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('of a run manifest.json (a file) says it is a file and to give its folder', async () => {
    const { dir, file, src } = await recorded();
    const given = join(src, 'manifest.json');
    const res = await cli(['run', file, '--replay', given, '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(`atp-sim: --replay ${given}: is a file; --replay takes the run directory that holds it (fix: --replay ${src})`);
    expect(readdirSync(join(dir, 'runs'))).toEqual(['src']);
    // Another file (the scenario, say) has no run folder to point to.
    const other = await cli(['run', file, '--replay', file, '--out', join(dir, 'runs')]);
    expect(other.code).toBe(2);
    expect(oneLine(other.stderr)).toBe(`atp-sim: --replay ${file}: is a file, not a run directory (fix: give a run directory made by atp-sim run)`);
  });

  it('refuses model flags in one line before anything is written: the recording answers every call', async () => {
    const { dir, file, src } = await recorded();
    const cases: [string[], string][] = [
      [['--model', 'm'], '--model m'],
      [['--model', 'm', '--endpoint', 'http://user:secret@127.0.0.1:9/v1'], '--model m and --endpoint http://REDACTED@127.0.0.1:9/v1'],
      [['--model', 'Qwen/Qwen3-8B', '--provider', 'together'], '--model Qwen/Qwen3-8B and --provider together'],
      // Checked before --endpoint's own need of --model: the replay is what makes it pointless.
      [['--endpoint', 'http://127.0.0.1:9/v1'], '--endpoint http://127.0.0.1:9/v1'],
      [['--model', 'local:x.gguf', '--context-size', '512'], '--model local:x.gguf and --context-size 512'],
    ];
    for (const [flags, named] of cases) {
      const res = await cli(['run', file, '--replay', src, ...flags, '--out', join(dir, 'runs')]);
      expect(res.code, flags.join(' ')).toBe(2);
      const drop = named.split(' and ').map((f) => f.split(' ')[0]).join(' and ');
      expect(oneLine(res.stderr)).toBe(
        `atp-sim: ${named} with --replay ${src}: the replay answers every model call from that run's recorded replies, so no model is called (fix: drop ${drop}, or drop --replay to call the model)`,
      );
      expect(res.stderr).not.toContain('secret');
      expect(readdirSync(join(dir, 'runs'))).toEqual(['src']);
    }
  });

  it('a model from the environment (ATP_SIM_MODEL) is not a flag the user gave: the replay runs', async () => {
    const { dir, file, src } = await recorded();
    const res = await cli(['run', file, '--replay', src, '--out', join(dir, 'runs'), '--id', 'env'], { ATP_SIM_MODEL: 'env-model' });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'runs', 'env', 'manifest.json'), 'utf8')).model.id).toMatch(/^scripted:/);
  });

  it('records the run it replayed and that run model', async () => {
    const { dir, file, src } = await recorded();
    const res = await cli(['run', file, '--replay', src, '--out', join(dir, 'runs'), '--id', 'again']);
    expect(res.code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'runs', 'again', 'manifest.json'), 'utf8'));
    expect(m.replayOf).toEqual({ id: 'src', path: src });
    expect(m.model.id).toBe(JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8')).model.id);
    expect(m.model.id).toMatch(/^scripted:/);
  });

  it('refuses a seed other than the replayed run seed', async () => {
    const { dir, file, src } = await recorded();
    const res = await cli(['run', file, '--replay', src, '--seed', '9', '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(`atp-sim: --replay ${src}: that run used seed 1, this one seed 9; its replies belong to seed 1 (fix: drop --seed, or run without --replay to call the model)`);
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(['src']);
  });

  it('of a run of another scenario is an input error: one line with the fix, exit 2, nothing kept', async () => {
    const { dir, src } = await recorded();
    const other = join(dir, 'other.yaml');
    writeFileSync(other, LLM.replace('must invest.', 'must invest, or all lose.'));
    const res = await cli(['run', other, '--replay', src, '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(
      `atp-sim: replay: round 1, agent 0 sends different messages than recorded in ${src} (fix: the scenario or prompt changed; run without --replay to call the model); no round was completed, so no run directory was kept`,
    );
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(['src']);
  });

  it('asking for more rounds than were recorded is refused before anything is written', async () => {
    const { dir, file, src } = await recorded();
    const res = await cli(['run', file, '--replay', src, '--rounds', '5', '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(`atp-sim: --replay ${src}: that run recorded 2 round(s), this one asks for 5 (fix: --rounds 2 or fewer, or run without --replay to call the model)`);
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(['src']);
  });

  it('a recording that stops answering after some rounds keeps no half-replayed directory', async () => {
    const { dir, file, src } = await recorded();
    // Round 2's decisions lost from the recording: round 1 replays, round 2 misses.
    const decisions = join(src, 'decisions.jsonl');
    const kept = readFileSync(decisions, 'utf8').split('\n').filter((l) => l !== '' && JSON.parse(l).round === 1);
    writeFileSync(decisions, `${kept.join('\n')}\n`);
    const res = await cli(['run', file, '--replay', src, '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(oneLine(res.stderr)).toBe(
      `atp-sim: replay: round 2, agent 0 was not recorded in ${src} (fix: the scenario, seed or rounds differ from the recorded run; run without --replay to call the model); no run directory was kept`,
    );
    expect(readdirSync(join(dir, 'runs')).sort()).toEqual(['src']);
  });

  it('--cache-mode replay with a reply missing from the cache is an input error too (exit 2)', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    const res = await cli(['run', file, '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--cache-mode', 'replay', '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    // The message names the flag the user gave (--cache-mode replay), not --replay (a run directory).
    const line = oneLine(res.stderr);
    expect(line).toMatch(/^atp-sim: --cache-mode replay: no cached reply for round 1 agent 0 .*; no round was completed, so no run directory was kept$/);
    expect(line).toContain('Fix: rerun with --cache-mode read-write to call the model');
    expect(line).not.toMatch(/--replay\b/);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });
});

describe('a model server that refuses connections', () => {
  it('prints one line in plain words and leaves no empty run directory', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    // Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    const res = await cli(['run', file, '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--out', join(dir, 'runs'), '--id', 'down']);
    expect(res.code).toBe(1);
    expect(oneLine(res.stderr)).toBe(
      'atp-sim: round 1: all 4 model calls failed after retries (connection refused: is the server running?); no round was completed, so no run directory was kept (fix: check that the model server is up and reachable, then run again)',
    );
    expect(existsSync(join(dir, 'runs', 'down'))).toBe(false);
  });

  it('leaves nothing it created: no empty cache.sqlite, no empty --out folder', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    const res = await cli(['run', file, '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--out', join(dir, 'runs')]);
    expect(res.code).toBe(1);
    expect(oneLine(res.stderr)).toContain('no run directory was kept');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('keeps the cache it created when it holds replies already paid for', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    // The first call is answered, the others fail: round 1 fails with one reply in the cache.
    const server = await startOpenAiServer({ reply: () => '{"choice": "invest"}', faults: (_b, i) => (i === 0 ? undefined : { kind: 'status', status: 400 }) });
    try {
      const res = await cli(['run', file, '--endpoint', server.url, '--model', 'm', '--out', join(dir, 'runs')]);
      expect(res.code).toBe(1);
      expect(oneLine(res.stderr)).toContain('no run directory was kept');
      expect(readdirSync(join(dir, 'runs'))).toEqual(['cache.sqlite']);
      const cache = ResponseCache.open(join(dir, 'runs', 'cache.sqlite'));
      expect(cache.size).toBe(1);
      cache.close();
    } finally {
      await server.close();
    }
  });

  it('keeps the cache it created when another process opened it meanwhile (two runs with one --out)', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    const path = join(dir, 'runs', 'cache.sqlite');
    let other: ResponseCache | undefined;
    // While this run waits for its first reply, another run opens the same default cache.
    const server = await startOpenAiServer({ faults: () => ((other ??= ResponseCache.open(path)), { kind: 'status', status: 400 }) });
    try {
      const res = await cli(['run', file, '--endpoint', server.url, '--model', 'm', '--out', join(dir, 'runs')]);
      expect(res.code).toBe(1);
      expect(oneLine(res.stderr)).toContain('no run directory was kept');
      expect(existsSync(path)).toBe(true);
      expect(other!.size).toBe(0);
    } finally {
      other?.close();
      await server.close();
    }
  });

  it('never removes a cache that was there before the run, nor the --out folder it was in', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'cache.sqlite'), '');
    const res = await cli(['run', file, '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--out', join(dir, 'runs')]);
    expect(res.code).toBe(1);
    expect(readdirSync(join(dir, 'runs'))).toEqual(['cache.sqlite']);
  });

  it('never removes a cache named with --cache, even one this run created', async () => {
    const { dir, file } = setup(LLM.replace('prompt:', 'model: { maxRetries: 0 }\nprompt:'));
    const shared = join(dir, 'shared', 'cache.sqlite');
    const res = await cli(['run', file, '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm', '--out', join(dir, 'runs'), '--cache', shared]);
    expect(res.code).toBe(1);
    expect(existsSync(shared)).toBe(true);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });
});
