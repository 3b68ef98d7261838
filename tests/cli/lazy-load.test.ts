import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HEAVY = ['yaml', 'better-sqlite3', 'pino', 'graphology'];

/** The packages of HEAVY that a fresh process has loaded after `main(argv)`. */
function heavyLoadedBy(argv: string[]): string[] {
  const script = `
    import { register } from 'tsx/esm/api';
    import { createRequire } from 'node:module';
    register();
    const { main } = await import('./src/cli/main.ts');
    await main(${JSON.stringify(argv)}, { stdout() {}, stderr() {}, isTty: false, env: {} });
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(${JSON.stringify(HEAVY)}.filter((p) => loaded.some((k) => k.includes('/node_modules/' + p + '/')))));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

describe('atp-sim start-up', () => {
  it('prints --help without loading the engine, YAML, SQLite, pino or graphology', () => {
    expect(heavyLoadedBy(['--help'])).toEqual([]);
  }, 30_000);

  it('loads them when a command needs them (run --help loads the run command)', () => {
    expect(heavyLoadedBy(['run', '--help']).length).toBeGreaterThan(0);
  }, 30_000);
});
