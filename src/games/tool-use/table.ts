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
interface ToolUseRecord {
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

/** Null when the rounds carry no `toolUse` record (another game). */
export function toolUseTable(rounds: ReadonlyArray<object>, f: TableFormat): string | null {
  const last = new Map<number, { rec: ToolUseRecord; capital: number }>();
  for (const r of rounds as ReadonlyArray<{ toolUse?: ToolUseRecord; meanCapital?: number }>) {
    if (r.toolUse) last.set(r.toolUse.round, { rec: r.toolUse, capital: r.meanCapital ?? NaN });
  }
  if (last.size === 0) return null;
  const rows = [...last.values()].map(({ rec, capital }) => [
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
