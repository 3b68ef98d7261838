import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.ts';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

describe('the package metadata', () => {
  it('carries an MIT LICENSE naming the atp-sim contributors, as package.json says', () => {
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} atp-sim contributors\n/);
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.license).toBe('MIT');
    expect(pkg.files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md']));
  });

  it('names its repository and the Node versions it runs on', () => {
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/) });
    expect(pkg.engines.node).toBe('>=20');
  });

  it('keeps a changelog with an Unreleased section', () => {
    expect(read('CHANGELOG.md')).toMatch(/^# Changelog\n[\s\S]*\n## \[Unreleased\]\n/);
  });
});
