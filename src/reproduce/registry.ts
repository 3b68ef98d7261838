/**
 * The paradigms `atp-sim reproduce atp --paradigm <name>` knows: a name -> its grid and tables.
 * To add one: write src/reproduce/<name>.ts exporting a `Paradigm` (design, sweeps of its
 * shipped scenarios, results: tables, CSV series, reference points) and name it below; a
 * `MissingParadigm` entry stands for one this build cannot run, and says why in one line.
 */
import { AtpSimError } from '../core/errors.ts';
import { BARGAINING } from './bargaining.ts';
import { GROUP } from './group.ts';
import type { MissingParadigm, Paradigm } from './paradigm.ts';
import { ROLEPLAY } from './roleplay.ts';
import { TOOLS } from './tools.ts';

export const PARADIGMS: Readonly<Record<string, Paradigm | MissingParadigm>> = {
  group: GROUP,
  roleplay: ROLEPLAY,
  tools: TOOLS,
  bargaining: BARGAINING,
};

/** The paradigms run when none is named: every one this build has. */
export function availableParadigms(): Paradigm[] {
  return Object.values(PARADIGMS).filter((p): p is Paradigm => !('missing' in p));
}

/** The paradigm called `name`, or a one-line error (unknown, or not in this build). */
export function paradigm(name: string): Paradigm {
  const p = PARADIGMS[name];
  if (!p) throw new AtpSimError('INVALID_ARGUMENT', `--paradigm: must be one of ${Object.keys(PARADIGMS).join(', ')}; got "${name}" (fix: e.g. --paradigm group)`);
  if ('missing' in p) throw new AtpSimError('INVALID_ARGUMENT', `paradigm ${p.name}: ${p.missing}`);
  return p;
}
