/**
 * The shipped group game against a loopback OpenAI-compatible server, through the CLI.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { cli } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice });
});
afterAll(() => server.close());

const game = join(REPO_ROOT, 'scenarios/atp/public-fund.yaml');

describe('atp-sim run against an OpenAI-compatible endpoint', () => {
  it('completes a shipped group game; requests carry messages, temperature, max_tokens and a per-call seed', async () => {
    const before = server.requests.length;
    const res = await cli(['run', game, '--endpoint', server.url, '--model', 'm', '--out', tempDir(), '--cache-mode', 'off']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/round\s+violation rate/);
    const reqs = server.requests.slice(before);
    expect(reqs).toHaveLength(24); // 8 agents x 3 rounds
    for (const r of reqs) {
      expect(r.path).toBe('/v1/chat/completions');
      expect(r.body.model).toBe('m');
      expect(r.body.messages[0].role).toBe('system');
      expect(r.body.temperature).toBe(0.7);
      expect(r.body.max_tokens).toBe(1024);
      expect(Number.isInteger(r.body.seed)).toBe(true);
    }
  });

  it('sends the same seeds when rerun with the same seed, other seeds with another', async () => {
    const seeds = async (seed: string) => {
      const before = server.requests.length;
      const res = await cli(['run', game, '--endpoint', server.url, '--model', 'm', '--seed', seed, '--out', tempDir(), '--cache-mode', 'off']);
      expect(res.code).toBe(0);
      return server.requests.slice(before).map((r) => r.body.seed as number).sort((a, b) => a - b);
    };
    const a = await seeds('11');
    const b = await seeds('11');
    const c = await seeds('12');
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('a refused connection fails after the retries with one plain line and keeps no empty run directory', async () => {
    const dead = await startOpenAiServer();
    const url = dead.url;
    await dead.close();
    const out = tempDir();
    const res = await cli(['run', game, '--endpoint', url, '--model', 'm', '--out', out, '--id', 'refused', '--cache-mode', 'off']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/model calls failed after retries \(connection refused: is the server running\?\); no round was completed, so no run directory was kept/);
    // Nothing to resume: a --resume hint for a run with no round would not help.
    expect(res.stderr).not.toContain('--resume');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(out, 'refused'))).toBe(false);
  }, 120_000);
});
