#!/usr/bin/env node
// The atp-sim command. An installed package runs the compiled CLI (dist/). A development
// checkout runs the compiled CLI too when `npm run build` has made it from the sources as they
// are now (dist/ newer than every file and folder of src/): tsx compiles the TypeScript sources
// at every start, about 1 s of CPU, against ~0.3 s for dist/ (bench: CLI start-up). Otherwise it
// runs the sources through tsx, so no build step is needed while developing and a stale dist/ is
// never picked up by mistake.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const SRC_MAIN = new URL('../src/cli/main.ts', import.meta.url);
const DIST_MAIN = new URL('../dist/cli/main.js', import.meta.url);

/** The latest modification time under `dir` (files and folders: a deleted file changes its folder's). */
function newestUnder(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/ was built from the sources as they are (or there are no sources: an installed package). */
function distIsCurrent() {
  if (!existsSync(DIST_MAIN)) return false;
  if (!existsSync(SRC_MAIN)) return true;
  return statSync(DIST_MAIN).mtimeMs > newestUnder(SRC);
}

async function loadMain() {
  if (!distIsCurrent() && existsSync(SRC_MAIN)) {
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (tsx) {
      tsx.register();
      return import(SRC_MAIN.href);
    }
  }
  return import(DIST_MAIN.href);
}

const { main } = await loadMain();
process.exitCode = await main(process.argv.slice(2));
