import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.ts';

/** The first ```js block under a README heading, as a user would copy it. */
export function readmeExample(heading: string): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error(`README.md: no js example under "## ${heading}"`);
  return m[1];
}
