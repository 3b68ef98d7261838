/**
 * A scratch project that installs atp-sim the way a user does: `npm pack` (which builds dist/
 * through `prepack`), then `npm install` of the tarball. Offline: npm reads every package from
 * its cache, which `npm ci` filled. npm's cache holds tarballs but not the registry metadata
 * `npm install <tarball>` would look up, so the scratch project gets a lock file: the tarball
 * plus every non-development package of this repository's package-lock.json (same versions,
 * same integrity hashes), and npm only needs the cached tarballs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

type LockEntry = Record<string, unknown> & { dev?: boolean };
type Lock = { packages: Record<string, LockEntry> };

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** What `npm pack` needs of the checkout to build and pack (package.json `files` plus the build's inputs). */
const PACK_INPUTS = ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'tsconfig.build.json', 'src', 'scripts', 'bin', 'scenarios', 'networks'];

/**
 * Packs the repository into `dest`; returns the tarball's file name. It packs a copy (its
 * `prepack` build writes dist/ there): a build in the checkout itself would replace dist/ while
 * other test files run the CLI, which uses a current dist/ when there is one (bin/atp-sim.js).
 */
export function packProject(dest: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'atp-sim-pack-'));
  try {
    for (const entry of PACK_INPUTS) cpSync(join(REPO_ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    return packIn(copy, dest);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

function packIn(cwd: string, dest: string): string {
  const out = execFileSync('npm', ['pack', '--pack-destination', dest, '--json', ...NPM_QUIET], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return (JSON.parse(out.slice(out.indexOf('['))) as { filename: string }[])[0].filename;
}

/** The scratch project's lock file: the tarball and the repository's runtime packages. */
export function consumerLock(repoLock: Lock, tarball: string, tarballBytes: Buffer): object {
  const root = repoLock.packages[''];
  const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => root[k] !== undefined).map((k) => [k, root[k]]));
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'atp-sim': `file:${tarball}` } },
    'node_modules/atp-sim': {
      resolved: `file:${tarball}`,
      integrity: `sha512-${createHash('sha512').update(tarballBytes).digest('base64')}`,
      ...pick(['version', 'license', 'dependencies', 'peerDependencies', 'peerDependenciesMeta', 'bin', 'engines']),
    },
  };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || entry.dev) continue;
    const { devOptional: _d, peer: _p, ...rest } = entry;
    packages[path] = rest;
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/**
 * Packs the repository and installs the tarball into `dir` from npm's cache (never the network);
 * returns the tarball's file name (in `dir`).
 * Install scripts are skipped: better-sqlite3's would compile SQLite for minutes when no prebuilt
 * binary can be downloaded, and nothing the scratch project runs opens the response cache.
 */
export function installPackedProject(dir: string): string {
  const tarball = packProject(dir);
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as Lock;
  const manifest = { name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'atp-sim': `file:${tarball}` } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(consumerLock(lock, tarball, readFileSync(join(dir, tarball))), null, 2));
  execFileSync('npm', ['install', '--offline', '--ignore-scripts', ...NPM_QUIET], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return tarball;
}
