/** `atp-sim report`: condition tables and a self-contained HTML report; `--atp`: the paper's tables. */
import { join, relative, resolve } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import { writeFileAtomic } from '../io/files.ts';
import { ATP_REFERENCE, atpGroupTable, atpMismatch, atpRolePlayTable, type AtpCell, type AtpRun } from '../metrics/atp-table.ts';
import { exposurePoints, type Exposure } from '../metrics/exposure.ts';
import type { Interval } from '../metrics/intervals.ts';
import { differenceText } from '../metrics/difference.ts';
import { buildReport } from '../report/data.ts';
import { parsingTotals } from '../report/parsing.ts';
import { surrogateLines } from '../report/surrogate.ts';
import type { ReportCondition, ReportData } from '../report/types.ts';
import { findRunDirs, tryReadRun } from '../sweep.ts';
import { pct, table } from './format.ts';
import { parseCommand } from './args.ts';
import type { CliIo } from './io.ts';

export const REPORT_HELP = `Usage: atp-sim report <dir> [--out report.html] [--rounds 1,3,5]
       atp-sim report --atp <dir>

<dir> is a run directory, a sweep directory (atp-sim sweep), or a folder holding run
directories (grouped by identical settings: the scenario's content without its name,
description and seed, and the model; runs of one name with other settings are separate rows). Prints the condition table (final violation rate
with its 95% interval, share of replicates that tipped, median round reaching one half) and the
exposure-response table, then writes a self-contained HTML report.

Options:
  --out FILE       Where to write the HTML report (default <dir>/report.html)
  --rounds LIST    Rounds shown in the network snapshots, e.g. 1,3,5 (default first, middle, last)
  --no-html        Print the tables only
  --json           Print the report data as JSON instead of the tables (no HTML)
  --atp            The ATP paper's tables for the ATP group games and role-play runs found under
                   <dir> (recursively), beside the paper's published reference points; only
                   complete runs in the paper's settings (complete graph of 8 LLM agents,
                   3 rounds, its thresholds and rewards; role-play: 1 agent, 6 rounds) are
                   counted, and the others are listed as left out with the reason
  -h, --help       Show this help

Intervals: t intervals over replicates (Wilson for the tipped share); a single run shows Wilson
intervals over the decisions of a round. Tipped: the violation rate reached one half and stayed
at or above it through the last round. Median half round: runs that never reached one half
count as never; "never" when at least half of them did not.
`;

function ci(iv: Interval | undefined): string {
  if (!iv || iv.n === 0 || !Number.isFinite(iv.mean)) return '-';
  return iv.n > 1 || iv.lo !== iv.hi ? `${pct(iv.mean)} [${pct(iv.lo)}, ${pct(iv.hi)}]` : pct(iv.mean);
}

/** The per-condition table printed by `report` and at the end of `sweep`. */
export function conditionTable(conditions: readonly ReportCondition[]): string {
  return table(
    ['condition', 'reps', 'final violation rate [95% CI]', 'tipped [95% CI]', 'median half round'],
    conditions.map((c) => [
      c.label,
      c.replicates,
      ci(c.finalRate),
      `${Math.round(c.tippedShare.mean * c.tippedShare.n)}/${c.tippedShare.n}  ${ci(c.tippedShare)}`,
      c.halfRoundMedian === null ? 'never' : String(c.halfRoundMedian),
    ]),
  );
}

/** Each condition against the first (the control): final rate and time to tipping, with Welch intervals. */
export function differenceTable(d: NonNullable<ReportData['differences']>): string {
  const cell = (iv: Interval, unit: 'pp' | 'rounds') => {
    const t = differenceText(iv, unit);
    return t.range ? `${t.value} ${t.range}` : t.value;
  };
  return [
    `Against "${d.control}" (difference of means, Welch 95% intervals; time to tipping over runs that reached one half):`,
    table(
      ['condition', 'final violation rate', 'round reaching one half', 'reached half (control, this)'],
      d.rows.map((r) => [r.label, cell(r.finalRate, 'pp'), cell(r.halfRound, 'rounds'), `${r.reached.control}, ${r.reached.condition}`]),
    ),
  ].join('\n');
}

/** Exposure-response pooled over every run, by k and by the fraction k/d. */
export function exposureTables(e: Exposure): string {
  const rows = (by: 'count' | 'fraction') => {
    const any = exposurePoints(by === 'count' ? e.any.byK : e.any.byFraction, by);
    const rew = exposurePoints(by === 'count' ? e.rewarded.byK : e.rewarded.byFraction, by);
    const keys = [...new Set([...any.map((p) => p.k), ...rew.map((p) => p.k)])].sort((a, b) => a - b);
    return keys.map((k) => {
      const a = any.find((p) => p.k === k);
      const r = rew.find((p) => p.k === k);
      const cell = (p: typeof a) => (p ? `${p.adoptions}/${p.n}  ${pct(p.p)} [${pct(p.lo)}, ${pct(p.hi)}]` : '-');
      return [by === 'count' ? String(k) : `[${k.toFixed(1)}, ${(k + 0.1).toFixed(1)}${k >= 0.85 ? ']' : ')'}`, cell(a), cell(r)];
    });
  };
  return [
    `Exposure-response (${e.runs} run(s) pooled): P(an agent that did not violate in round t violates in t+1 | its neighbours in t)`,
    table(['violating neighbours k', 'any violation', 'rewarded violations only'], rows('count')),
    '',
    table(['share of neighbours k/d', 'any violation', 'rewarded violations only'], rows('fraction')),
  ].join('\n');
}

/** One line per damaged run left out (the first 10), so the user can find and repair them. */
export function leftOutLines(leftOut: ReadonlyArray<{ readonly id: string; readonly problem: string }>): string[] {
  const lines = leftOut.slice(0, 10).map((d) => `left out (damaged): ${d.id}: ${d.problem}`);
  if (leftOut.length > 10) lines.push(`left out (damaged): ... and ${leftOut.length - 10} more`);
  return lines;
}

function parseRounds(v: string | undefined): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length === 0 || nums.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new AtpSimError('INVALID_ARGUMENT', `--rounds: must be round numbers separated by commas, e.g. 1,3,5; got "${v}"`);
  }
  return nums;
}

type Renderer = { renderReportAsync?: (d: ReportData) => Promise<string>; renderReport?: (d: ReportData) => string };
// Relative (not a file URL) so that the build rewrites `.ts` to `.js` (see tsconfig.build.json).
const HTML_MODULE = '../report/html.ts';

async function renderHtml(data: ReportData): Promise<string> {
  const mod = (await import(HTML_MODULE)) as Renderer;
  if (mod.renderReportAsync) return mod.renderReportAsync(data);
  if (mod.renderReport) return mod.renderReport(data);
  throw new AtpSimError('INTERNAL', 'report: src/report/html.ts does not export renderReport(data)');
}

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    out: { type: 'string' },
    rounds: { type: 'string' },
    'no-html': { type: 'boolean' },
    json: { type: 'boolean' },
    atp: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(REPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `report: expected one directory; got ${positionals.length} (see atp-sim report --help)`);
  const dir = positionals[0];
  if (values.atp) {
    io.stdout(atpReport(dir));
    return 0;
  }
  const rounds = parseRounds(values.rounds);
  const { data, extras } = buildReport(dir, { rounds });
  if (rounds) {
    const last = Math.max(0, ...data.conditions.flatMap((c) => c.violation.map((v) => v.round)));
    const beyond = rounds.filter((r) => r > last);
    if (beyond.length) throw new AtpSimError('INVALID_ARGUMENT', `--rounds: round ${beyond[0]} is beyond the last round ${last}`);
  }
  if (values.json) {
    io.stdout(JSON.stringify(data, null, 2));
    return 0;
  }
  const lines = [`${data.title}${data.subtitle ? `: ${data.subtitle}` : ''}`, ...leftOutLines(extras.leftOut), '', conditionTable(data.conditions)];
  if (data.differences) lines.push('', differenceTable(data.differences));
  if (extras.exposureRuns > 0) lines.push('', exposureTables(extras.exposure));
  else lines.push('', 'Exposure-response: no run recorded every decision (record: all), so there is none.');
  const parsing = parsingTotals(data.runs);
  if (parsing) {
    lines.push('', `Reply parsing (prompt.parse): ${parsing.modes.join(' and ')}; the other parsing reads ${parsing.disagreements} replies differently, in ${parsing.affected} of ${parsing.counted} runs.`);
  }
  if (data.surrogate) lines.push('', ...surrogateLines(data.surrogate, table));
  if (data.transcripts.length > 0) lines.push('', `First violations after a neighbour's rewarded violation: ${data.transcripts.length} transcript(s) in the report.`);
  if (!values['no-html']) {
    const out = resolve(values.out ?? join(dir, 'report.html'));
    const page = await renderHtml(data);
    writeFileAtomic(out, page);
    lines.push('', `report: ${out}`);
  }
  io.stdout(lines.join('\n'));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// --atp
// ---------------------------------------------------------------------------------------------

function cell(c: AtpCell | undefined): string {
  return c && c.decisions > 0 ? `${c.count}/${c.decisions} ${pct(c.rate)}` : '-';
}

/**
 * Runs under `dir` that belong in the paper's tables (complete, sound, in the paper's settings:
 * atpMismatch), and the others with the reason each was left out.
 */
function atpRuns(dir: string): { runs: AtpRun[]; found: number; leftOut: Map<string, string[]> } {
  const runs: AtpRun[] = [];
  const leftOut = new Map<string, string[]>();
  const dirs = findRunDirs(dir);
  const leave = (reason: string, id: string) => leftOut.set(reason, [...(leftOut.get(reason) ?? []), id]);
  for (const d of dirs) {
    const read = tryReadRun(d);
    if (!read.ok) {
      leave(`damaged: ${read.problem}`, relative(dir, d) || d);
      continue;
    }
    const m = read.run.manifest;
    const reason = m.status !== 'complete' ? `not complete (${m.status})` : atpMismatch(m.scenario);
    if (reason !== null) leave(reason, m.id);
    else runs.push({ id: m.id, model: m.model?.id ?? 'none', scenario: m.scenario, rounds: read.run.rounds });
  }
  return { runs, found: dirs.length, leftOut };
}

function leftOutSummary(leftOut: Map<string, string[]>): string[] {
  return [...leftOut.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .map(([reason, ids]) => `${ids.length} x ${reason}: ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}`);
}

/** The paper's two tables for the ATP runs under `dir`, with the published reference points. */
export function atpReport(dir: string): string {
  const { runs, found, leftOut } = atpRuns(dir);
  const group = atpGroupTable(runs);
  const roleplay = atpRolePlayTable(runs);
  if (group.length === 0 && roleplay.length === 0) {
    const why = leftOutSummary(leftOut).join('; ');
    throw new AtpSimError('FILE_NOT_FOUND', `report --atp: no runs in the paper's settings (ATP group games or role-play dilemmas, style atp) under ${dir} (found ${found} run(s)${why ? `; left out: ${why}` : ''})`);
  }
  const ref = ATP_REFERENCE;
  const out: string[] = [];
  if (group.length > 0) {
    const rounds = Math.max(...group.map((r) => r.cells.length));
    out.push(
      'ATP group games (imitative diffusion): share of ALL decisions of the round that chose the collective ("colluding") option,',
      'pooled over the runs of each row: collective choices / decisions (invalid replies included in the denominator);',
      'games counts distinct games (scenario names), with the runs pooled when a game ran more than once',
      '',
      table(
        ['model', 'threshold', 'rewards h/n/l', 'games', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)],
        group.map((r) => [
          r.model,
          r.threshold,
          `${r.rewards.high}/${r.rewards.normal}/${r.rewards.low}${r.rewardMode === 'additive' ? ' (additive)' : ''}`,
          r.runs === r.games ? r.games : `${r.games} (${r.runs} runs)`,
          ...Array.from({ length: rounds }, (_, i) => cell(r.cells[i])),
        ]),
      ),
      '',
      `Paper (${ref.citation}), ${ref.groupGame.setting}, round 1: ${ref.groupGame.round1Collusion.map((p) => `${p.model} ${p.percent.toFixed(1)}%`).join(', ')}; ${ref.groupGame.note}.`,
    );
  }
  if (roleplay.length > 0) {
    const rounds = Math.max(...roleplay.map((r) => r.cells.length));
    if (out.length) out.push('');
    out.push(
      'ATP role-play (self-interested exploration): share of runs choosing the violating option in each round',
      '',
      table(
        ['model', 'supervision', 'runs', ...Array.from({ length: rounds }, (_, i) => `round ${i + 1}`)],
        roleplay.map((r) => [r.model, r.pattern, r.runs, ...Array.from({ length: rounds }, (_, i) => cell(r.cells[i]))]),
      ),
      '',
      `Paper (${ref.citation}), ${ref.rolePlay.setting}: ${ref.rolePlay.model} ${ref.rolePlay.round1Percent.toFixed(1)}% in round 1 -> ${ref.rolePlay.round6Percent.toFixed(1)}% in round 6.`,
    );
  }
  const left = [...leftOut.values()].reduce((a, ids) => a + ids.length, 0);
  if (left > 0) out.push('', `Left out ${left} of ${found} run(s) (not in the tables: their settings are not the paper's, or they are not complete):`, ...leftOutSummary(leftOut).map((l) => `  ${l}`));
  return out.join('\n');
}

