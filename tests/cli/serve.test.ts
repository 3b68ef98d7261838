/**
 * `atp-sim serve` as a user meets it: a real child process that prints its address, serves the
 * folder, and stops cleanly on Ctrl-C (SIGINT) even with a live page connected; and the usage
 * mistakes, each one line and exit 2.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';
import { serveFixture } from '../serve/fixture.ts';

describe('atp-sim serve in a child process', () => {
  it('prints its address, serves the runs, and exits 0 on SIGINT with an event stream open', async () => {
    const fx = await serveFixture();
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/atp-sim.js'), 'serve', fx.root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (m) resolve(m[1]);
      });
      void exited.then(() => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const index = await new Promise<string>((resolve, reject) => get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject));
    expect(index).toContain('<a href="/run/demo">');
    // An open event stream must not keep the server from stopping.
    const stream = await new Promise<{ closed: Promise<void> }>((resolve, reject) => get(`${url}events/live`, (res) => {
      const closed = new Promise<void>((r) => res.on('close', () => r()));
      res.once('data', () => resolve({ closed }));
    }).on('error', reject));
    const sentAt = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await stream.closed;
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(stdout).toMatch(/atp-sim serve: SIGINT received, stopped\n$/);
    expect(stderr).toBe('');
  }, 60_000);
});

describe('atp-sim serve usage errors', () => {
  it('names a folder that is not there, in one line, exit 2', async () => {
    const res = await cli(['serve', join(tempDir(), 'nope')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^atp-sim: serve: .*nope is not a folder \(fix: give the folder holding your runs, e\.g\. runs\/\)\n$/);
  });

  it('refuses a port that is not a number, or too large', async () => {
    const dir = tempDir();
    const bad = await cli(['serve', dir, '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port: must be a whole number >= 0');
    const big = await cli(['serve', dir, '--port', '70000']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('--port: must be at most 65535; got 70000');
  });

  it('says which flag to change when the port is taken', async () => {
    const dir = tempDir();
    const { createServer } = await import('node:http');
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const res = await cli(['serve', dir, '--port', String(port)]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`--port: ${port} is already in use on 127.0.0.1 (fix: choose another with --port N, or --port 0 for any free port)`);
    } finally {
      taken.close();
    }
  });

  it('prints its help', async () => {
    const res = await cli(['serve', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: atp-sim serve <folder> [--port N] [--host 127.0.0.1]');
  });
});
