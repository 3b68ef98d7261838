/** One temporary folder for the whole test run, removed at the end. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'atp-sim-tests-'));
  process.env.ATP_SIM_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
