import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A checkout with bin/atp-sim.js and a main that says where it was loaded from (src, dist or both). */
function checkout(parts: { src?: boolean; dist?: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'atp-bin-'));
  dirs.push(root);
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(REPO_ROOT, 'bin', 'atp-sim.js'), join(root, 'bin', 'atp-sim.js'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  const main = (from: string) => `export async function main(argv) { console.log('${from} ' + argv.join(' ')); return 0; }\n`;
  if (parts.src) {
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), main('src'));
  }
  if (parts.dist) {
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), main('dist'));
  }
  return root;
}

function setTime(path: string, seconds: number): void {
  utimesSync(path, seconds, seconds);
}

function run(root: string): string {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'atp-sim.js'), '--help'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('bin/atp-sim.js', () => {
  it('runs the compiled CLI when dist/ was built after the last change to src/', () => {
    const root = checkout({ src: true, dist: true });
    for (const p of ['src/cli/main.ts', 'src/cli', 'src']) setTime(join(root, p), 1_000_000);
    setTime(join(root, 'dist/cli/main.js'), 2_000_000);
    expect(run(root)).toBe('dist --help');
  });

  it('runs the sources through tsx when a file of src/ changed after the build', () => {
    const root = checkout({ src: true, dist: true });
    for (const p of ['src/cli', 'src']) setTime(join(root, p), 1_000_000);
    setTime(join(root, 'dist/cli/main.js'), 2_000_000);
    setTime(join(root, 'src/cli/main.ts'), 3_000_000);
    expect(run(root)).toBe('src --help');
  });

  it('runs the sources when a folder of src/ changed after the build (a file added or deleted)', () => {
    const root = checkout({ src: true, dist: true });
    setTime(join(root, 'src/cli/main.ts'), 1_000_000);
    setTime(join(root, 'dist/cli/main.js'), 2_000_000);
    setTime(join(root, 'src/cli'), 3_000_000);
    expect(run(root)).toBe('src --help');
  });

  it('runs the sources without dist/, and dist/ without sources (an installed package)', () => {
    expect(run(checkout({ src: true }))).toBe('src --help');
    expect(run(checkout({ dist: true }))).toBe('dist --help');
  });
});
