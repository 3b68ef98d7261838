/** `atp-sim export <run or sweep dir> --format csv|parquet [--what rounds|decisions|agents]`: tidy tables; `--format gexf`: a run's dynamic network for Gephi. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AtpSimError, describeValue } from '../core/errors.ts';
import { CsvFile } from '../io/csv.ts';
import { ParquetFile, ParquetTypes } from '../io/parquet.ts';
import { writeRunGexf } from '../run/gexf.ts';
import { isRunDir, readRun, rebuildNetwork } from '../sweep.ts';
import { forEachRow, planTable, TABLES, type TableName } from '../export/tables.ts';
import { parseCommand } from './args.ts';
import type { CliIo } from './io.ts';

export const EXPORT_HELP = `Usage: atp-sim export <run or sweep directory> --format csv|parquet [options]
       atp-sim export <run directory> --format gexf [--out FILE]

Writes a tidy table (one row per observation, one column per variable) that R, pandas or a
spreadsheet reads as is. For a sweep, every run is in one table and the grid parameters are
columns (network.kind, population.committed.share, ...), with cell, replicate and seed.

Options:
  --format csv       The file format (csv: RFC 4180, CRLF line ends, a header row)
  --format parquet   Apache Parquet (pandas, polars, DuckDB, R arrow): typed columns (whole
                     numbers INT32/INT64, DOUBLE, BOOLEAN, text), nulls for missing values
  --format gexf      The run's network for Gephi (GEXF 1.3, dynamic): per agent role, policy,
                     committed, seeded, finalChoice, degree, and its choice and violated per
                     round as spells that Gephi's timeline animates (default <run>/network.gexf;
                     any network size)
  --what T           rounds (default): one row per run x round
                     decisions: one row per run x round x agent, with the game's own fields
                     (no prompt or reply text)
                     agents: one row per run x agent (policy, degree, first and final choice,
                     violations, final capital)
  --with-text        decisions: add the reply, the reasoning and the prompt (JSON messages)
  --out FILE         Where to write (default <dir>/<what>.csv or .parquet); written whole or
                     not at all`;

const FORMATS = ['csv', 'parquet', 'gexf'];

export async function exportCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    format: { type: 'string' },
    what: { type: 'string' },
    'with-text': { type: 'boolean' },
    out: { type: 'string' },
  });
  if (values.help) {
    io.stdout(EXPORT_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new AtpSimError('INVALID_ARGUMENT', `export: expected one run or sweep directory; got ${positionals.length} (see atp-sim export --help)`);
  if (values.format === undefined || !FORMATS.includes(values.format)) {
    throw new AtpSimError('INVALID_ARGUMENT', `--format: must be csv, parquet or gexf; got ${describeValue(values.format)} (fix: use --format csv or --format parquet for tables)`);
  }
  if (values.format === 'gexf') return exportGexf(positionals[0], values, io);
  const what = (values.what ?? 'rounds') as TableName;
  if (!TABLES.includes(what)) throw new AtpSimError('INVALID_ARGUMENT', `--what: must be one of ${TABLES.join(', ')}; got ${describeValue(values.what)}`);
  if (values['with-text'] && what !== 'decisions') throw new AtpSimError('INVALID_ARGUMENT', `--with-text: only for --what decisions; got --what ${what}`);
  const dir = resolve(positionals[0]);
  if (!existsSync(dir)) throw new AtpSimError('FILE_NOT_FOUND', `export: ${positionals[0]} does not exist (fix: give a folder made by atp-sim run or atp-sim sweep)`);

  const options = { text: values['with-text'] === true };
  const plan = planTable(dir, what, options);
  const out = resolve(values.out ?? join(dir, `${what}.${values.format}`));
  let file: CsvFile | ParquetFile;
  if (values.format === 'parquet') {
    // A first pass settles each column's type, so the second streams rows in row groups.
    const types = new ParquetTypes(plan.columns);
    forEachRow(plan, what, (row) => types.see(row), options);
    file = new ParquetFile(out, plan.columns, types.get());
  } else file = new CsvFile(out, plan.columns);
  try {
    forEachRow(plan, what, (row) => file.add(row), options);
    file.close();
  } catch (err) {
    file.abandon();
    throw err;
  }
  io.stdout(`${what}: ${file.rows} rows from ${plan.sources.length} run(s) -> ${file.path}`);
  return 0;
}

function exportGexf(dir: string, values: { what?: string; 'with-text'?: boolean; out?: string }, io: CliIo): number {
  if (values.what !== undefined || values['with-text']) throw new AtpSimError('INVALID_ARGUMENT', `--format gexf: takes no --what or --with-text (fix: drop them; the file holds every agent and round)`);
  const runDir = resolve(dir);
  if (!isRunDir(runDir)) {
    const fix = existsSync(join(runDir, 'runs')) ? `give one of its runs, e.g. ${join(dir, 'runs', '<cell>')}` : 'give a folder made by atp-sim run';
    throw new AtpSimError('INVALID_ARGUMENT', `export --format gexf: ${dir} is not a run directory (no manifest.json; fix: ${fix})`);
  }
  // The network is rebuilt from the manifest's spec and seed, so runs over the network-file limit export too.
  const { manifest } = readRun(runDir);
  const csr = rebuildNetwork(manifest, (manifest as { baseDir?: string }).baseDir);
  const path = resolve(values.out ?? join(runDir, 'network.gexf'));
  const rounds = writeRunGexf(path, runDir, manifest.scenario, csr);
  io.stdout(`network.gexf: ${csr.n} nodes, rounds 1-${rounds} as spells -> ${path}`);
  return 0;
}
