/**
 * `atp-sim fit <dir>`: fits a surrogate policy to the LLM decisions of a run or a sweep and
 * writes surrogate.json (src/surrogate/fit.ts). Exit 0 when written, 2 on a usage or input error
 * (nothing is written then).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import { SURROGATE_FEATURES, type SurrogateFeature } from '../policies/surrogate-model.ts';
import { fitAndCheck, type SurrogateFile } from '../surrogate/fit.ts';
import { VERSION } from '../run.ts';
import { parseCommand, wholeNumber } from './args.ts';
import { table } from './format.ts';
import type { CliIo } from './io.ts';

export const FIT_HELP = `Usage: atp-sim fit <run or sweep folder> [--out FILE] [--features a,b,...] [--l2 X]
                    [--holdout X] [--split run|agent] [--seed N] [--replicates N] [--json]

Fits a surrogate policy to how the LLM agents decided: an L2-regularised logistic regression of
P(violate) on what each agent saw last round (own choice and payoff, neighbours violating and
rewarded violators, as counts and shares, the payoff gap between the options, the round, and
supervision where the game has it). Prints the coefficients with 95% intervals (from the
inverse Hessian), the held-out log-likelihood against a constant rate and imitate-best, and a
reliability table; writes surrogate.json for \`policy: { kind: surrogate, file: ... }\`.
Then it checks the surrogate where it matters: run in place of the LLM agents of each fitted
run (same scenario and graph, other seeds), does it give the same diffusion curve? It prints
the share violating per round, LLM (mean and 95% interval over the runs) beside surrogate.
The runs need every agent recorded (record: all, the default below 2 million decisions).

Options:
  --out FILE         Where to write (default <folder>/surrogate.json)
  --features LIST    Comma-separated subset of: ${SURROGATE_FEATURES.join(', ')}
  --l2 X             Penalty on the standardised coefficients (default 1; 0: none)
  --holdout X        Share of runs (or agents) held out for the metrics (default 0.25)
  --split run|agent  Hold out whole runs (default with 2 or more runs) or whole agents
  --seed N           Seed of the split (default 1)
  --replicates N     Surrogate runs per fitted run for the curve check (default 10; 0: skip)
  --json             Print surrogate.json instead of the tables
  -h, --help         Show this help
`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x)) throw new AtpSimError('INVALID_ARGUMENT', `--${name}: must be a number; got "${value}" (see atp-sim fit --help)`);
  return x;
}

function features(value: string | undefined): SurrogateFeature[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim());
  const bad = list.find((f) => !(SURROGATE_FEATURES as readonly string[]).includes(f));
  if (bad !== undefined || list.length === 0) throw new AtpSimError('INVALID_ARGUMENT', `--features: unknown feature "${bad}" (fix: one or more of ${SURROGATE_FEATURES.join(', ')})`);
  return list as SurrogateFeature[];
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const insideText = (inside: boolean | null) => (inside === null ? '-' : inside ? 'yes' : 'NO');

/** The curve check: LLM and surrogate share violating per round, per condition. */
function curveText(s: SurrogateFile): string[] {
  if (!s.check) return [];
  return s.check.conditions.flatMap((c) => {
    const outside = c.rounds.filter((r) => r.inside === false).map((r) => r.round);
    const verdict =
      c.llmRuns < 2
        ? 'one LLM run has no interval to judge the surrogate by (fit 2 or more runs of the condition)'
        : outside.length === 0
          ? 'the surrogate is inside the LLM interval every round'
          : `OUTSIDE the LLM interval in round(s) ${outside.join(', ')}`;
    return [
      '',
      `diffusion curve, ${c.condition}: ${c.llmRuns} LLM run(s) vs ${c.surrogateRuns} surrogate run(s); ${verdict}`,
      table(
        ['round', 'LLM share violating [95% CI]', 'surrogate', 'inside'],
        c.rounds.map((r) => [r.round, `${f3(r.llm.mean)} [${f3(r.llm.lo)}, ${f3(r.llm.hi)}]`, f3(r.surrogate), insideText(r.inside)]),
      ),
    ];
  });
}

/** The tables `fit` prints. */
export function fitText(s: SurrogateFile, out: string): string {
  const m = s.metrics;
  const h = m.heldOut;
  const coef = table(
    ['term', 'per unit [95% CI]', 'standardised [95% CI]'],
    s.raw.map((r, k) => [r.feature, `${f3(r.estimate)} [${f3(r.lo)}, ${f3(r.hi)}]`, `${f3(s.standardised[k].estimate)} [${f3(s.standardised[k].lo)}, ${f3(s.standardised[k].hi)}]`]),
  );
  const held = table(
    ['model', 'log-lik', 'per decision', 'accuracy'],
    (
      [
        ['surrogate', h.surrogate],
        ['constant rate', h.constant],
        ['imitate-best', h.imitateBest],
      ] as const
    ).map(([name, sc]) => [name, sc.logLik.toFixed(1), f3(sc.perDecision), f3(sc.accuracy)]),
  );
  const cal = table(
    ['predicted', 'decisions', 'mean predicted', 'observed [95% CI]'],
    m.calibration.map((b) => [`${b.from.toFixed(1)}-${b.to.toFixed(1)}`, b.decisions, f3(b.meanPredicted), `${f3(b.observed)} [${f3(b.observedLo)}, ${f3(b.observedHi)}]`]),
  );
  const lines = [
    `fit: ${s.fit.decisions} LLM decisions from ${s.provenance.runs.length} run(s), violation rate ${f3(s.fit.violationRate)}, l2 ${s.l2}${s.fit.converged ? '' : ' (NOT converged)'}`,
    ...s.dropped.map((d) => `left out: ${d.feature}: ${d.reason}`),
    ...s.provenance.skipped.map((d) => `skipped: ${d.dir}: ${d.reason}`),
    '',
    `coefficients of logit P(violate) (${s.intervals}):`,
    coef,
    '',
    `held out: ${m.split.testDecisions} decisions of ${m.split.testGroups} ${m.split.by}(s) (seed ${m.split.seed}); trained on ${m.split.trainDecisions}${m.split.by === 'agent' ? ' (agents of the same run(s) as the training ones: optimistic; fit 2 or more runs)' : ''}:`,
    held,
    '',
    'reliability (held out):',
    cal,
    ...curveText(s),
    '',
    `written: ${out}`,
  ];
  return `${lines.join('\n')}\n`;
}

export async function fitCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    out: { type: 'string' },
    features: { type: 'string' },
    l2: { type: 'string' },
    holdout: { type: 'string' },
    split: { type: 'string' },
    seed: { type: 'string' },
    replicates: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(FIT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `fit: expected one run or sweep folder; got ${positionals.length} (see atp-sim fit --help)`);
  const dir = resolve(positionals[0]);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AtpSimError('FILE_NOT_FOUND', `fit: ${positionals[0]}: no such folder (fix: give a run or sweep folder, e.g. runs/<id>)`);
  if (values.split !== undefined && values.split !== 'run' && values.split !== 'agent') {
    throw new AtpSimError('INVALID_ARGUMENT', `--split: must be run or agent; got "${values.split}"`);
  }
  const out = resolve(values.out ?? join(dir, 'surrogate.json'));
  const s = await fitAndCheck(dir, out, {
    replicates: wholeNumber('replicates', values.replicates, 0),
    features: features(values.features),
    l2: number('l2', values.l2),
    holdout: number('holdout', values.holdout),
    splitBy: values.split as 'run' | 'agent' | undefined,
    seed: wholeNumber('seed', values.seed, 0),
    version: VERSION,
  });
  io.stdout(values.json ? JSON.stringify(s, null, 2) : fitText(s, out));
  return 0;
}
