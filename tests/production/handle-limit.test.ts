/**
 * A run closes every handle it opens (log, JSONL writers, response cache, lock): with the process
 * limited to 64 file handles, 100 runs and a 100-cell sweep all complete. Before, each run kept
 * its log open: a 2,000-cell sweep died with EMFILE after 994 cells under `ulimit -n 1024`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { seededChoice } from '../helpers/replies.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

const LIMIT = 64;
const COUNT = 100;

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer({ reply: seededChoice });
});
afterAll(() => server.close());

describe('file handles', () => {
  it(`more runs and sweep cells than a limit of ${LIMIT} handles all complete`, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tests/production/handle-limit.child.ts'), tempDir(), server.url, String(COUNT)], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (stdout === 'ready\n') {
        // The limit is lowered once the modules are loaded (loading alone opens ~60 files at once).
        const set = spawnSync('prlimit', ['--pid', String(child.pid), `--nofile=${LIMIT}:${LIMIT}`], { encoding: 'utf8' });
        expect(set.status, set.stderr).toBe(0);
        child.stdin.write('go\n');
      }
    });
    const code = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout.replace('ready\n', ''))).toEqual({ runs: COUNT, cells: COUNT, failed: [] });
  }, 240_000);
});
