import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** The shared ATP folder: `$ENV` if set, else ../shared/atp next to the repository. */
export function atpDir(kind: 'golden' | 'data'): string {
  const env = kind === 'golden' ? process.env.ATP_GOLDEN_DIR : process.env.ATP_DATA_DIR;
  if (env) return resolve(env);
  const candidates = [resolve(REPO_ROOT, '../shared/atp', kind), resolve('/work/shared/atp', kind)];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

/** A fresh folder inside the test run's temporary root (removed when the run ends). */
export function tempDir(prefix = 'atp-sim-test-'): string {
  return mkdtempSync(join(process.env.ATP_SIM_TEST_TMP ?? tmpdir(), prefix));
}
