/**
 * The run's printed table for the testbed: one row per testbed round (its last engine round's
 * running `toolUse` record), tool use and accuracy over all its decisions and split by stage.
 * The caller passes its table and percent formatters (games do not import the CLI).
 */

interface Stage {
  readonly decisions: number;
  readonly toolRate: number | null;
  readonly accuracy: number | null;
}
export interface ToolUseRecord {
  readonly round: number;
  readonly complete: boolean;
  readonly toolRate: number | null;
  readonly accuracy: number | null;
  readonly easy: Stage;
  readonly complex: Stage;
}

export interface TableFormat {
  table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string;
  pct(x: number | null | undefined): string;
}

/**
 * One record per testbed round, from a run's round records (rounds.jsonl): the `toolUse` of its
 * last engine round (`complete` unless the run stopped inside it), with the mean capital then.
 */
export function testbedRounds(rounds: ReadonlyArray<object>): Array<{ rec: ToolUseRecord; capital: number }> {
  const last = new Map<number, { rec: ToolUseRecord; capital: number }>();
  for (const r of rounds as ReadonlyArray<{ toolUse?: ToolUseRecord; meanCapital?: number }>) {
    if (r.toolUse) last.set(r.toolUse.round, { rec: r.toolUse, capital: r.meanCapital ?? NaN });
  }
  return [...last.values()];
}

/** Null when the rounds carry no `toolUse` record (another game). */
export function toolUseTable(rounds: ReadonlyArray<object>, f: TableFormat): string | null {
  const last = testbedRounds(rounds);
  if (last.length === 0) return null;
  const rows = last.map(({ rec, capital }) => [
    `${rec.round}${rec.complete ? '' : ' (partial)'}`,
    f.pct(rec.toolRate),
    f.pct(rec.accuracy),
    f.pct(rec.easy.toolRate),
    f.pct(rec.easy.accuracy),
    f.pct(rec.complex.toolRate),
    f.pct(rec.complex.accuracy),
    Number.isFinite(capital) ? capital.toFixed(3) : '-',
  ]);
  return [
    f.table(['testbed round', 'tool use', 'accuracy', 'easy: tool use', 'easy: accuracy', 'complex: tool use', 'complex: accuracy', 'mean capital'], rows),
    'tool use = tool choices / decisions; accuracy = correct answers / decisions (invalid replies included in both denominators)',
  ].join('\n');
}
