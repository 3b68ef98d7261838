/** Killing a child process at a chosen moment of its run (crash tests). */
import type { ChildProcess } from 'node:child_process';

/**
 * Checks `ready` every `everyMs` and sends SIGKILL to `child` the first time it holds; resolves
 * once the child is gone. Rejects if the child ends by itself first (the moment never came).
 */
export async function killWhen(child: ChildProcess, ready: () => boolean, everyMs = 1): Promise<void> {
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (!ready()) return;
      clearInterval(timer);
      child.kill('SIGKILL');
      resolve();
    }, everyMs);
    child.on('exit', () => {
      clearInterval(timer);
      reject(new Error('the run ended before it could be killed'));
    });
  });
  await exited;
}
