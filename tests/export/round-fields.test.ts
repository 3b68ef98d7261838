/** The rounds table carries round fields beyond the fixed columns by name: game metrics, interventions. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { forEachRow, planTable } from '../../src/export/tables.ts';
import { tempDir } from '../helpers/paths.ts';

describe('the rounds table of runs with new round fields', () => {
  it("adds a game's own metrics and what interventions changed (as JSON) as columns", async () => {
    const r = await runScenario(
      {
        name: 'fish',
        kind: 'commons',
        rounds: 3,
        population: { size: 4, policy: 'imitate-best', seedViolators: { count: 1 } },
        network: { kind: 'complete' },
        game: { capacity: 100, startStock: 50 },
        interventions: [{ kind: 'broadcast', at: 2, message: 'hello' }],
      },
      { out: tempDir(), id: 'fish' },
    );
    const plan = planTable(r.runDir, 'rounds');
    expect(plan.columns.slice(-3)).toEqual(['stock', 'sustainableShare', 'interventions']);
    const rows: Array<Record<string, unknown>> = [];
    forEachRow(plan, 'rounds', (row) => rows.push(row));
    const lines = readFileSync(join(r.runDir, 'rounds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.stock)).toEqual(lines.map((l) => l.stock));
    expect(rows[1].interventions).toBe('{"broadcast#0":{"message":"hello"}}');
    expect(rows[0].interventions).toBeUndefined();
  });
});
