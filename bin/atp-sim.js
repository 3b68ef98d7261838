#!/usr/bin/env node
// The atp-sim command. An installed package runs the compiled CLI (dist/); a development
// checkout (src/ present, tsx installed) runs the TypeScript sources through tsx, so no build
// step is needed while developing and a stale dist/ is never picked up by mistake.
import { existsSync } from 'node:fs';

const SRC_MAIN = new URL('../src/cli/main.ts', import.meta.url);

async function loadMain() {
  if (existsSync(SRC_MAIN)) {
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (tsx) {
      tsx.register();
      return import(SRC_MAIN.href);
    }
  }
  return import('../dist/cli/main.js');
}

const { main } = await loadMain();
process.exitCode = await main(process.argv.slice(2));
