// Builds the published package: compiles src/ to dist/ (JavaScript + .d.ts, see
// tsconfig.build.json), then copies the files the compiler does not emit but the code loads at
// run time (the plain-JavaScript chart renderer and its worker, with their types; the local
// model's probe child), and bundles the explorer page's script (src/report/explorer/client/, with
// graphology and sigma) into dist/report/explorer/explorer-client.js, so the installed package needs
// no bundler (src/report/explorer/bundle.ts reads it).
// Run by `npm run build` and by `prepack`, so `npm pack` and `npm publish` always ship a fresh dist/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Files under src/ that tsc does not emit, by folder: everything ending in one of these. */
const ASSETS = { report: ['.mjs', '.d.mts'], llm: ['.mjs'] };

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const { status } = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);

const esbuild = createRequire(import.meta.url)('esbuild');
esbuild.buildSync({
  // The same options as ESBUILD_OPTIONS in src/report/explorer/bundle.ts.
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  entryPoints: [join(root, 'src/report/explorer/client/main.ts')],
  outfile: join(dist, 'report/explorer/explorer-client.js'),
  logLevel: 'warning',
});

for (const [folder, endings] of Object.entries(ASSETS)) {
  for (const name of readdirSync(join(root, 'src', folder))) {
    if (endings.some((e) => name.endsWith(e))) copyFileSync(join(root, 'src', folder, name), join(dist, folder, name));
  }
}
