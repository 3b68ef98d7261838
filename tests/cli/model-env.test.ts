/**
 * The model can come from the environment, as with other tools: ATP_SIM_MODEL for --model,
 * ATP_SIM_ENDPOINT (else OPENAI_BASE_URL) for --endpoint; a flag always wins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFlags } from '../../src/cli/args.ts';
import { cli } from '../helpers/cli.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenarioFile } from '../helpers/scenarios.ts';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice });
});
afterAll(() => server.close());

const scenarioFile = () => thresholdScenarioFile({ rounds: 1 });

describe('the model from the environment', () => {
  it('runs against ATP_SIM_MODEL at OPENAI_BASE_URL with no model flags', async () => {
    const before = server.stats.requests;
    const env = { ATP_SIM_MODEL: 'env-model', OPENAI_BASE_URL: server.url };
    const res = await cli(['run', scenarioFile(), '--out', tempDir(), '--cache-mode', 'off', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(server.stats.requests - before).toBe(8);
    expect(server.requests.at(-1)?.body.model).toBe('env-model');
  });

  it('prefers ATP_SIM_ENDPOINT to OPENAI_BASE_URL, and flags to both', () => {
    const env = { ATP_SIM_MODEL: 'env-model', ATP_SIM_ENDPOINT: 'http://a.test/v1', OPENAI_BASE_URL: 'http://b.test/v1' };
    expect(modelFlags({}, env).modelSettings).toMatchObject({ model: 'env-model', endpointUrl: 'http://a.test/v1' });
    expect(modelFlags({ model: 'flag-model', endpoint: ['http://c.test/v1'] }, env).modelSettings).toMatchObject({ model: 'flag-model', endpointUrl: 'http://c.test/v1' });
    expect(modelFlags({ model: 'Qwen/Qwen3-8B', provider: 'together' }, env).modelSettings).toEqual({ backend: 'hf', model: 'Qwen/Qwen3-8B', provider: 'together' });
    expect(modelFlags({ model: 'local:m.gguf' }, env).modelSettings).toEqual({ backend: 'local', model: 'm.gguf' });
  });

  it('names the variable when its value is not a URL, in one line', async () => {
    const res = await cli(['run', scenarioFile(), '--model', 'm', '--out', tempDir()], { ATP_SIM_ENDPOINT: 'localhost:8000' });
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toMatch(/^atp-sim: ATP_SIM_ENDPOINT: must be an http\(s\) URL .*\(fix: correct or unset ATP_SIM_ENDPOINT\)$/);
  });
});
