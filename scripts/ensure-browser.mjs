// Run by `npm test` (the `pretest` script) so the README's test command works on a fresh Debian
// machine: the browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core,
// and when it is missing this installs it with apt-get (as root, or through passwordless sudo).
// Elsewhere it prints one line on what to do and lets the browser tests report the rest.
// Plain JavaScript so that it runs before anything is compiled or loaded through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
const APT_INSTALL = [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium']];

/**
 * What to do, from facts about the machine: the commands to run (none when the browser is there
 * or cannot be installed from here) and a line to print.
 */
export function browserInstallPlan({ exists, skip, isRoot, hasAptGet, hasSudo }) {
  if (exists || skip) return { commands: [], message: '' };
  const manual = `browser tests: ${CHROMIUM} is missing; install Debian's chromium package ` +
    '(apt-get install -y chromium) or set ATP_SIM_SKIP_BROWSER=1 to skip those tests';
  if (!hasAptGet || (!isRoot && !hasSudo)) return { commands: [], message: manual };
  const prefix = isRoot ? [] : ['sudo', '-n'];
  return {
    commands: APT_INSTALL.map((c) => [...prefix, ...c]),
    message: `browser tests: ${CHROMIUM} is missing; installing Debian's chromium package with apt-get`,
  };
}

function succeeds(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** Looks at this machine, runs the plan; returns the exit code (non-zero: an install failed). */
export function ensureBrowser(env = process.env) {
  const plan = browserInstallPlan({
    exists: existsSync(CHROMIUM),
    skip: env.ATP_SIM_SKIP_BROWSER === '1',
    isRoot: process.getuid?.() === 0,
    hasAptGet: succeeds('apt-get', ['--version']),
    hasSudo: succeeds('sudo', ['-n', 'true']),
  });
  if (plan.message) console.error(plan.message);
  for (const [command, ...args] of plan.commands) {
    const r = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error(`browser tests: "${[command, ...args].join(' ')}" failed (exit ${r.status ?? r.signal}); install chromium by hand`);
      return 1;
    }
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = ensureBrowser();
