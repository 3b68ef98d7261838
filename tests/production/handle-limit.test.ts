/**
 * A run closes every handle it opens (log, JSONL writers, response cache, lock): under a limit of
 * 96 handles (loading the modules takes ~30; 64 is too few to load them), 120 runs and a 120-cell
 * sweep all complete. Before, each run kept its log open: a 2,000-cell sweep died with EMFILE
 * after 994 cells under `ulimit -n 1024`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

const LIMIT = 96;
const COUNT = 120;

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice });
});
afterAll(() => server.close());

describe('file handles', () => {
  it(`more runs and sweep cells than a limit of ${LIMIT} handles all complete`, async () => {
    const child = join(REPO_ROOT, 'tests/production/handle-limit.child.ts');
    const script = `ulimit -n ${LIMIT} && exec "${process.execPath}" --import tsx "${child}" "${tempDir()}" "${server.url}" ${COUNT}`;
    // Asynchronous: the loopback server answering the child lives in this process.
    const res = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn('bash', ['-c', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      p.on('exit', (code) => resolve({ code, stdout, stderr }));
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ runs: COUNT, cells: COUNT, failed: [] });
  }, 240_000);
});
