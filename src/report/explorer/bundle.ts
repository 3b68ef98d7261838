/**
 * The explorer page's script: client/main.ts with graphology and sigma, bundled by esbuild into
 * one IIFE that the page inlines.
 *
 * - Installed package: `npm run build` (scripts/build.mjs) bundles it into
 *   dist/report/explorer/explorer-client.js, read as is (esbuild is a dev dependency only).
 * - Source checkout: bundled on first use and cached in .cache/explorer/ under a hash of the
 *   client sources and the bundler's and libraries' versions, so later pages cost a file read.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AtpSimError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../io/files.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Name of the prebuilt bundle next to this module in dist/. */
export const CLIENT_BUNDLE = 'explorer-client.js';
const CLIENT_DIR = join(HERE, 'client');

let memo: string | null = null;

/** esbuild options; scripts/build.mjs repeats them (it is plain JavaScript and cannot import this file). */
export const ESBUILD_OPTIONS = { bundle: true, format: 'iife', platform: 'browser', target: 'es2020', minify: true, legalComments: 'none', charset: 'utf8' } as const;

export function explorerBundle(): string {
  if (memo !== null) return memo;
  const prebuilt = join(HERE, CLIENT_BUNDLE);
  if (existsSync(prebuilt)) return (memo = readFileSync(prebuilt, 'utf8'));
  const require = createRequire(import.meta.url);
  let esbuild: { buildSync: (o: Record<string, unknown>) => { outputFiles: Array<{ text: string }> }; version: string };
  try {
    esbuild = require('esbuild');
  } catch {
    throw new AtpSimError('INTERNAL', `explore: the page script is neither prebuilt (${prebuilt}) nor buildable: esbuild is not installed (fix: run npm run build, or npm install in a source checkout)`);
  }
  const versions = ['sigma', 'graphology'].map((p) => packageVersion(require.resolve(p), p));
  const hash = createHash('sha256').update(JSON.stringify([esbuild.version, versions, ESBUILD_OPTIONS]));
  for (const name of readdirSync(CLIENT_DIR).sort()) hash.update(name).update(readFileSync(join(CLIENT_DIR, name)));
  hash.update(readFileSync(join(HERE, 'types.ts')));
  const cached = join(HERE, '..', '..', '..', '.cache', 'explorer', `client-${hash.digest('hex').slice(0, 16)}.js`);
  if (existsSync(cached)) return (memo = readFileSync(cached, 'utf8'));
  const out = esbuild.buildSync({ ...ESBUILD_OPTIONS, entryPoints: [join(CLIENT_DIR, 'main.ts')], write: false, logLevel: 'silent' });
  memo = out.outputFiles[0].text;
  writeFileAtomic(cached, memo, 'explorer bundle cache');
  return memo;
}

/** A package's version from the file its entry point resolves to (graphology does not export package.json). */
function packageVersion(entry: string, name: string): string {
  const marker = `node_modules${sep}${name}${sep}`;
  const root = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
