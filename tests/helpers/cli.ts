import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';

/** Runs the CLI in-process and captures what it prints. */
export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t.endsWith('\n') ? t : `${t}\n`),
    stderr: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    isTty: false,
    env,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
