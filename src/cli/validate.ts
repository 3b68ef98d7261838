/**
 * `atp-sim validate`: runs the validation scenarios (scenarios/validation/) and prints, side by
 * side, the analytic or published value, ours and the interval. Exit 0 when everything agrees,
 * 1 when a comparison fails (the output says which), 2 on a usage error.
 */
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { AtpSimError } from '../core/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../io/files.ts';
import { runValidations, VALIDATIONS, type ValidationName, type ValidationResults } from '../validation/index.ts';
import type { CentolaMacyResult } from '../validation/centola-macy.ts';
import type { WattsResult } from '../validation/watts.ts';
import type { SantosPachecoResult } from '../validation/santos-pacheco.ts';
import type { Interval } from '../metrics/intervals.ts';
import { parseCommand } from './args.ts';
import { table } from './format.ts';
import { progressLine, type CliIo } from './io.ts';

export const VALIDATE_HELP = `Usage: atp-sim validate [--full] [--only NAME] [--out DIR] [--global-share X] [--json]

Reproduces published results with classic agents (threshold, proportional; no model, offline) and prints
the analytic or published value beside ours, with 99% intervals:
  watts         Watts (2002): global cascades on Erdos-Renyi graphs, threshold 0.18, one seed;
                P(global cascade) and mean cascade size against mean degree z, beside the
                analytic window and probability (computed from the degree distribution)
  centola-macy  Centola & Macy (2007): complex contagion (2 of 4 neighbours) spreads further on
                a ring lattice than with rewired ties; simple contagion faster with shortcuts
  santos-pacheco  Santos & Pacheco (2005): in the network prisoner's dilemma (the paper's
                proportional imitation), cooperation is higher on Barabasi-Albert graphs than
                on random regular graphs of the same mean degree (4), and survives to a much
                larger temptation b

By default a reduced version runs in seconds (2 000 agents x 100 replicates per z; 400 agents x
20 replicates; 300 agents x 10 replicates x 600 generations). --full runs
scenarios/validation/*.yaml at the papers' sizes (minutes) and writes report.md and
results.json to --out.

Options:
  --full              Paper sizes; writes a report (default folder runs/validation)
  --only NAME         One validation: ${VALIDATIONS.join(' or ')}
  --out DIR           Write report.md and results.json there (also without --full)
  --global-share X    A cascade is global above this share of the network (default 0.1, Watts)
  --json              Print the results as JSON
  -h, --help          Show this help
Exit codes: 0 all agree, 1 a comparison failed (listed), 2 usage error.
`;

const ci = (i: Interval, digits = 3) => (i.n === 0 ? '-' : `${i.mean.toFixed(digits)} [${i.lo.toFixed(digits)}, ${i.hi.toFixed(digits)}]`);

function wattsText(w: WattsResult): string {
  const win = w.window ? `${w.window.lower.toFixed(3)} < z < ${w.window.upper.toFixed(3)}` : 'none';
  const rows = w.points.map((p) => [
    String(p.z),
    p.theory.probability.toFixed(3),
    ci(p.probability),
    p.theory.size.toFixed(3),
    ci(p.size),
    p.agrees ? 'yes' : p.nearEdge ? 'no (window edge: finite n)' : 'NO',
  ]);
  return [
    `Watts (2002): ${w.agents} agents, threshold ${w.phi}, one seed, ${w.replicates} replicates per z; global = more than ${w.globalShare * 100}% of the network`,
    `analytic cascade window (Poisson degrees): ${win}`,
    table(['z', 'P analytic', 'P simulated [99% CI]', 'size analytic', 'size simulated [99% CI]', 'agrees'], rows),
  ].join('\n');
}

function santosText(s: SantosPachecoResult): string {
  const rows = s.conditions.map((x) => [String(x.agents), x.role, x.graph, x.meanDegree.toFixed(2), x.maxDegree.toFixed(0), String(x.b), ci(x.cooperation)]);
  return [
    `Santos & Pacheco (2005): network prisoner's dilemma (R = 1, T = b, S = P = 0), ${s.rule}, half defecting at the start; ` +
      `${s.replicates} replicates, ${s.rounds} generations, cooperation averaged over the last ${s.averagedOver}`,
    `published: ${s.published}`,
    table(['agents', 'graph', 'network', 'mean degree', 'max degree', 'b', 'cooperators [99% CI]'], rows),
    ...s.checks.map((k) => `${k.holds ? 'holds' : 'FAILS'}: ${k.claim} (${k.detail})`),
  ].join('\n');
}

function centolaText(c: CentolaMacyResult): string {
  const rows = c.conditions.map((x) => [x.contagion, String(x.theta), String(x.beta), ci(x.reach), x.reachedHalf === 0 ? 'never' : ci(x.halfRound, 1), `${x.reachedHalf}/${x.runs}`]);
  return [
    `Centola & Macy (2007): ring lattice (4 neighbours) of ${c.agents} agents, 2 adjacent seeds, ${c.replicates} replicates`,
    table(['contagion', 'theta', 'beta', 'final share [99% CI]', 'round half reached [99% CI]', 'reached half'], rows),
    ...c.checks.map((k) => `${k.holds ? 'holds' : 'FAILS'}: ${k.claim} (${k.detail})`),
  ].join('\n');
}

export function validationText(r: ValidationResults): string {
  const parts: string[] = [];
  if (r.watts) parts.push(wattsText(r.watts));
  if (r.centolaMacy) parts.push(centolaText(r.centolaMacy));
  if (r.santosPacheco) parts.push(santosText(r.santosPacheco));
  if (r.notRun.length > 0) parts.push(`not run: ${r.notRun.join('; ')}`);
  parts.push(r.failures.length === 0 ? 'validation: everything agrees' : `validation: ${r.failures.length} disagreement(s):\n${r.failures.map((f) => `  ${f}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

function readOptions(argv: string[]) {
  const { values, positionals } = parseCommand(argv, {
    full: { type: 'boolean' },
    only: { type: 'string' },
    out: { type: 'string' },
    'global-share': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new AtpSimError('INVALID_ARGUMENT', `validate takes no arguments; got "${positionals[0]}" (see atp-sim validate --help)`);
  if (values.only !== undefined && !(VALIDATIONS as readonly string[]).includes(values.only)) {
    throw new AtpSimError('INVALID_ARGUMENT', `--only: must be one of ${VALIDATIONS.join(', ')}; got "${values.only}"`);
  }
  const share = values['global-share'] === undefined ? undefined : Number(values['global-share']);
  if (share !== undefined && !(share >= 0 && share < 1)) {
    throw new AtpSimError('INVALID_ARGUMENT', `--global-share: must be a number in [0, 1); got "${values['global-share']}" (fix: e.g. 0.1, Watts' 10%)`);
  }
  return { values, share };
}

export async function validateCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, share } = readOptions(argv);
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return 0;
  }
  const out = values.out ?? (values.full ? 'runs/validation' : undefined);
  const bar = progressLine(io);
  const results = await runValidations({
    full: values.full,
    only: values.only ? [values.only as ValidationName] : undefined,
    globalShare: share,
    onCell: (name, done, total) => bar.update(`${name}: runs ${done}/${total}`),
  }).finally(() => bar.done());
  const text = validationText(results);
  io.stdout(values.json ? JSON.stringify(results, null, 2) : text);
  if (out) {
    const dir = resolve(out);
    mkdirSync(dir, { recursive: true });
    writeJsonAtomic(join(dir, 'results.json'), results);
    writeFileAtomic(join(dir, 'report.md'), `# atp-sim validate${results.full ? ' --full' : ''}\n\n\`\`\`\n${text}\`\`\`\n`);
    if (!values.json) io.stdout(`report: ${join(dir, 'report.md')}`);
  }
  return results.failures.length === 0 ? 0 : 1;
}
