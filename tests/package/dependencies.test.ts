/**
 * Every runtime dependency in package.json is imported by the shipped code, so installing
 * atp-sim pulls in nothing it never uses (the package tests cover the install itself).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : []);
}

/** Package names the sources import (static, dynamic or type-only), scope included. */
function importedPackages(): Set<string> {
  const found = new Set<string>();
  for (const file of sources(join(REPO_ROOT, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\()\s*'([^'.][^']*)'/g)) {
      const parts = m[1].split('/');
      found.add(m[1].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return found;
}

describe('the dependencies', () => {
  it('are all imported by the sources', () => {
    const imported = importedPackages();
    expect(Object.keys(manifest.dependencies).filter((d) => !imported.has(d))).toEqual([]);
  });

  it('leave node-llama-cpp (hundreds of MB of llama.cpp binaries) to users of local models', () => {
    expect(manifest.dependencies['node-llama-cpp']).toBeUndefined();
    expect(manifest.peerDependencies?.['node-llama-cpp']).toBeDefined();
    expect(manifest.peerDependenciesMeta?.['node-llama-cpp']?.optional).toBe(true);
  });
});
