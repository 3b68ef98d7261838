// Regenerates scenarios/*.schema.json and puts the `# yaml-language-server: $schema=...` line at
// the top of every shipped scenario and sweep file (the VS Code YAML extension reads it).
// Run: node scripts/schema-lines.mjs   (tests/scenarios/schema.test.ts checks both are current)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shipped = join(root, 'scenarios');
for (const what of ['scenario', 'sweep']) {
  execFileSync(process.execPath, [join(root, 'bin', 'atp-sim.js'), 'schema', what, '--out', join(shipped, `${what}.schema.json`)], { stdio: 'inherit' });
}
const files = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /\.ya?ml$/.test(f) ? [join(dir, f)] : []));
for (const file of files(shipped)) {
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parse(text, { merge: true });
  const schema = doc && ('base' in doc || 'grid' in doc) ? 'sweep' : 'scenario';
  const line = `# yaml-language-server: $schema=${relative(dirname(file), join(shipped, `${schema}.schema.json`))}`;
  const lines = text.split('\n');
  if (lines[0].startsWith('# yaml-language-server:')) lines[0] = line;
  else lines.unshift(line);
  writeFileSync(file, lines.join('\n'));
}
