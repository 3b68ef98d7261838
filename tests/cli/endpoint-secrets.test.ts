import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { runScenario } from '../../src/run.ts';
import { runSweep } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer } from '../helpers/openai-server.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const PASSWORD = 'pw-Zq81xXv';
const QUERY_KEY = 'qk-Hh27Ty0';

/** Every file under `dir`, read as text. */
function allText(dir: string): string {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .map((p) => (statSync(p).isDirectory() ? allText(p) : readFileSync(p, 'latin1')))
    .join('\n');
}

function scenarioFile(dir: string, over: Record<string, unknown> = {}): string {
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(thresholdScenario({ rounds: 2, ...over })));
  return file;
}

describe('endpoint credentials', () => {
  it('reach the server but no file of the run and no output', async () => {
    const server = await startOpenAiServer({ reply: () => '{"choice": "invest"}' });
    try {
      const dir = tempDir();
      const endpoint = `${server.url.replace('http://', `http://user:${PASSWORD}@`)}?api-version=2024-02-01&api_key=${QUERY_KEY}`;
      const res = await cli(['run', scenarioFile(dir), '--model', 'm', '--endpoint', endpoint, '--out', join(dir, 'runs'), '--id', 'r']);
      expect(res.code).toBe(0);
      expect(server.requests[0].path).toBe(`/v1/chat/completions?api-version=2024-02-01&api_key=${QUERY_KEY}`);
      expect(server.requests[0].authorization).toBe(`Basic ${Buffer.from(`user:${PASSWORD}`).toString('base64')}`);
      const written = allText(join(dir, 'runs', 'r')) + res.stdout + res.stderr;
      expect(written).not.toContain(PASSWORD);
      expect(written).not.toContain(QUERY_KEY);
      const manifest = JSON.parse(readFileSync(join(dir, 'runs', 'r', 'manifest.json'), 'utf8'));
      expect(manifest.model.settings.endpointUrl).toBe(`${server.url.replace('http://', 'http://REDACTED@')}?api-version=2024-02-01&api_key=REDACTED`);
    } finally {
      await server.close();
    }
  });

  it('stay out of stderr, manifest.error and log.jsonl when the server fails', async () => {
    // Round 1 (8 calls) is answered, round 2 fails: the run directory is kept, with the error in it.
    const server = await startOpenAiServer({ reply: () => '{"choice": "invest"}', faults: (_body, index) => (index >= 8 ? { kind: 'status', status: 400, message: 'bad request' } : undefined) });
    try {
      const dir = tempDir();
      const endpoint = `${server.url.replace('http://', `http://user:${PASSWORD}@`)}?token=${QUERY_KEY}`;
      const res = await cli(['run', scenarioFile(dir), '--model', 'm', '--endpoint', endpoint, '--out', join(dir, 'runs'), '--id', 'r']);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('REDACTED');
      const written = allText(join(dir, 'runs', 'r')) + res.stdout + res.stderr;
      expect(written).not.toContain(PASSWORD);
      expect(written).not.toContain(QUERY_KEY);
    } finally {
      await server.close();
    }
  });

  it('in a scenario model.endpoint are redacted in the manifest, and resuming asks for the endpoint again', async () => {
    const server = await startOpenAiServer({ reply: () => '{"choice": "invest"}' });
    try {
      const dir = tempDir();
      const endpoint = server.url.replace('http://', `http://user:${PASSWORD}@`);
      const file = scenarioFile(dir, { model: { name: 'm', endpoint }, limits: { budgetUsd: 0.0000001 } });
      const res = await cli(['run', file, '--out', join(dir, 'runs'), '--id', 'r', '--price-in', '1', '--price-out', '1']);
      expect(res.stdout).toContain('stopped');
      expect(allText(join(dir, 'runs', 'r'))).not.toContain(PASSWORD);
      const again = await cli(['run', '--resume', join(dir, 'runs', 'r'), '--budget', '5']);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('resume with --model and --endpoint given again');
      expect(again.stderr).not.toContain(PASSWORD);
    } finally {
      await server.close();
    }
  });

  it('quoted in any error reach neither manifest.error nor log.jsonl (library API)', async () => {
    const dir = tempDir();
    // Round 1 is answered, round 2 fails: the run directory is kept, with the error in it.
    const model = {
      id: 'failing',
      complete: (req: { origin?: { round: number } }) =>
        req.origin && req.origin.round >= 2
          ? Promise.reject(new AtpSimError('FAILURE_RATE_EXCEEDED', `cannot reach https://u:${PASSWORD}@hub.example/api?access_token=${QUERY_KEY}`))
          : Promise.resolve({ text: '{"choice": "invest"}' }),
    };
    const err = await runScenario(thresholdScenario({ rounds: 2 }), { model, out: dir, id: 'r' }).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain(PASSWORD);
    const text = allText(join(dir, 'r'));
    expect(text).toContain('REDACTED');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(QUERY_KEY);
  });

  it('quoted in the error of a failed cell stay out of sweep.json and the sweep result', async () => {
    const dir = tempDir();
    const model = { id: 'failing', complete: () => Promise.reject(new Error(`GET http://u:${PASSWORD}@h/v1?key=${QUERY_KEY} refused`)) };
    const spec = { name: 'sec', base: thresholdScenario({ rounds: 1 }), grid: { 'game.threshold': [2] }, replicates: 1, seed: 1 };
    const result = await runSweep(spec, { out: dir, model });
    expect(result.failed[0].error).toContain('REDACTED');
    const text = allText(dir) + JSON.stringify(result.failed);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(QUERY_KEY);
  });

  it('in HF_ENDPOINT (local:hf: models) reach neither stderr nor any file', async () => {
    const dir = tempDir();
    const saved = { endpoint: process.env.HF_ENDPOINT, cache: process.env.XDG_CACHE_HOME };
    process.env.HF_ENDPOINT = `http://user:${PASSWORD}@127.0.0.1:9/?token=${QUERY_KEY}`;
    process.env.XDG_CACHE_HOME = join(dir, 'xdg');
    try {
      const res = await cli(['run', scenarioFile(dir), '--model', 'local:hf:org/repo/model.gguf', '--out', join(dir, 'runs'), '--id', 'r']);
      expect(res.code).not.toBe(0);
      const text = allText(dir) + res.stdout + res.stderr;
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(QUERY_KEY);
    } finally {
      for (const [k, v] of [['HF_ENDPOINT', saved.endpoint], ['XDG_CACHE_HOME', saved.cache]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('a token pasted into --provider', () => {
  const TOKEN = 'hf_Xy7PastedByMistake0123456789';

  it('is refused in one line that does not echo it, before --out is created (run and sweep)', async () => {
    const dir = tempDir();
    const file = scenarioFile(dir);
    const run = await cli(['run', file, '--model', 'm', '--provider', TOKEN, '--out', join(dir, 'runs')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^atp-sim: provider: must be one of .*auto; got a text of 31 characters that is not a provider name \(not shown: it may be a token\) \(fix: .*\)\n$/);
    const sweepFile = join(dir, 'sweep.json');
    writeFileSync(sweepFile, JSON.stringify({ name: 'tok', base: 'scenario.json', grid: { 'game.threshold': [2, 4] }, replicates: 1 }));
    const sweep = await cli(['sweep', sweepFile, '--model', 'm', '--provider', TOKEN, '--out', join(dir, 'runs')]);
    expect(sweep.code).toBe(2);
    expect(run.stderr + sweep.stderr + run.stdout + sweep.stdout).not.toContain(TOKEN);
    expect(readdirSync(dir).sort()).toEqual(['scenario.json', 'sweep.json']);
  });

  it('a mistyped provider name is quoted back', async () => {
    const dir = tempDir();
    const res = await cli(['run', scenarioFile(dir), '--model', 'm', '--provider', 'togehter', '--out', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('got "togehter"');
  });
});
