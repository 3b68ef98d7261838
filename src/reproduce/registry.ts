/**
 * The paradigms `atp-sim reproduce atp --paradigm <name>` knows: a name -> its grid and tables.
 *
 * `tools` (the tool-use testbed) and `bargaining` (group bargaining) need games that are being
 * built elsewhere (issue 12 items 1 and 2). Until they are merged their entries say so in one
 * line. To wire one: write src/reproduce/<name>.ts exporting a `Paradigm` (design, sweeps of its
 * shipped scenarios, results: tables, CSV series, reference points) and replace its
 * `MissingParadigm` entry below with it.
 */
import { AtpSimError } from '../core/errors.ts';
import { GROUP } from './group.ts';
import type { MissingParadigm, Paradigm } from './paradigm.ts';
import { ROLEPLAY } from './roleplay.ts';

export const PARADIGMS: Readonly<Record<string, Paradigm | MissingParadigm>> = {
  group: GROUP,
  roleplay: ROLEPLAY,
  tools: { name: 'tools', missing: 'needs the tool-use game (issue 12 item 1), not in this build' },
  bargaining: { name: 'bargaining', missing: 'needs the group-bargaining game (issue 12 item 2), not in this build' },
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
