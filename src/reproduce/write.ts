/**
 * A reproduction's outputs in its folder: report.md (the tables beside the published points, as
 * printed), results.json (the same as data), one CSV per series (the figures' data: a rate per
 * condition and round) and reference.csv (every published point and statement, with what this
 * reproduction measured there). All deterministic: no clock, no paths, so a rerun that makes no
 * model call rewrites the same bytes.
 */
import { join } from 'node:path';
import { CsvFile, type CsvValue } from '../io/csv.ts';
import { writeFileAtomic, writeJsonAtomic } from '../io/files.ts';
import { renderFigures } from './figures.ts';
import { percent } from './format.ts';
import type { Design, ParadigmResults, Reference, ResultTable } from './paradigm.ts';
import { CITATION } from './reference.ts';

/** What the folder's files say about the reproduction besides its results. */
export interface ReproduceHeader {
  readonly paradigm: string;
  readonly title: string;
  readonly sources: string;
  readonly model: string | null;
  readonly design: Design;
  readonly cells: { readonly total: number; readonly complete: number; readonly failed: number };
}

/** A markdown table with padded columns (readable as plain text too). */
export function markdownTable(columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [columns, ...rows.map((r) => r.map(String))].map((r) => r.map((c) => c.replace(/\|/g, '\\|')));
  const widths = columns.map((_, i) => Math.max(3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

function tableSection(t: ResultTable): string[] {
  return [`## ${t.title}`, '', ...t.notes, '', markdownTable(t.columns, t.rows)];
}

function measuredText(r: Reference): string {
  if (r.qualitative) return r.observed ?? '-';
  return r.measured && r.measured.decisions > 0 ? `${percent(r.measured.rate)} (${r.measured.count}/${r.measured.decisions})` : 'not run';
}

function referenceSection(refs: readonly Reference[], model: string | null): string[] {
  const numeric = refs.filter((r) => !r.qualitative);
  const qualitative = refs.filter((r) => r.qualitative);
  const out = [`## Published reference points (${CITATION})`, ''];
  if (numeric.length) {
    out.push(
      `Published percent with the count and denominator it stands for (where the paper's design fixes one), beside this reproduction (model ${model ?? 'none'}) at the same setting and round.`,
      '',
      markdownTable(['setting', 'published for', 'round', 'published', 'this reproduction'], numeric.map((r) => [r.setting, r.model, r.round ?? '-', r.statement, measuredText(r)])),
    );
  }
  if (qualitative.length) {
    out.push(...(numeric.length ? [''] : []), 'Qualitative only (the paper gives a direction, no number to compare):', '', markdownTable(['setting', 'published for', 'the paper says', 'this reproduction'], qualitative.map((r) => [r.setting, r.model, r.statement, measuredText(r)])));
  }
  return out;
}

export function renderReport(h: ReproduceHeader, res: ParadigmResults): string {
  return [
    `# Reproducing ATP: ${h.title}`,
    '',
    `- model: ${h.model ?? 'none (nothing complete yet)'}`,
    `- scenarios: ${h.sources}`,
    `- the paper's design: ${h.design.text}`,
    `- cells complete: ${h.cells.complete} of ${h.cells.total}${h.cells.failed ? ` (${h.cells.failed} failed)` : ''}`,
    '',
    ...res.tables.flatMap((t) => [...tableSection(t), '']),
    ...res.figures.filter((f) => f.measured.length + f.published.length > 0).flatMap((f) => [`![${f.title}](${f.id}.svg)`, '']),
    ...referenceSection(res.references, h.model),
    '',
  ].join('\n');
}

function writeCsv(path: string, columns: readonly string[], rows: ReadonlyArray<Readonly<Record<string, CsvValue>>>): void {
  const f = new CsvFile(path, columns);
  try {
    for (const r of rows) f.add(r);
    f.close();
  } catch (err) {
    f.abandon();
    throw err;
  }
}

const REFERENCE_COLUMNS = ['setting', 'published_for', 'round', 'published_percent', 'published_count', 'denominator', 'qualitative', 'statement', 'measured_count', 'measured_decisions', 'measured_rate', 'observed'];

/** Writes report.md, results.json, <series>.csv, <figure>.svg and reference.csv into `dir`; returns the file names. */
export async function writeOutputs(dir: string, h: ReproduceHeader, res: ParadigmResults): Promise<{ report: string; files: string[] }> {
  const report = renderReport(h, res);
  const svgs = await renderFigures(res.figures);
  writeFileAtomic(join(dir, 'report.md'), report);
  const { figures, ...data } = res;
  writeJsonAtomic(join(dir, 'results.json'), { format: 'atp-sim/reproduce@1', ...h, citation: CITATION, ...data });
  const drawn = figures.filter((f) => f.measured.length + f.published.length > 0);
  drawn.forEach((f, i) => writeFileAtomic(join(dir, `${f.id}.svg`), svgs[i]));
  for (const s of res.series) writeCsv(join(dir, `${s.id}.csv`), s.columns, s.rows);
  writeCsv(
    join(dir, 'reference.csv'),
    REFERENCE_COLUMNS,
    res.references.map((r) => ({
      setting: r.setting,
      published_for: r.model,
      round: r.round,
      published_percent: r.percent,
      published_count: r.count,
      denominator: r.denominator,
      qualitative: r.qualitative,
      statement: r.statement,
      measured_count: r.measured?.count,
      measured_decisions: r.measured?.decisions,
      measured_rate: r.measured?.rate,
      observed: r.observed,
    })),
  );
  return { report, files: ['report.md', 'results.json', ...res.series.map((s) => `${s.id}.csv`), ...drawn.map((f) => `${f.id}.svg`), 'reference.csv'] };
}
