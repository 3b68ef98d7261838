/** The rounds table carries round fields beyond the fixed columns by name: game metrics, interventions. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/run.ts';
import { loadScenarioFile } from '../../src/scenarios/parse.ts';
import { forEachRow, planTable } from '../../src/export/tables.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

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

describe('the rounds table of the tool-use testbed', () => {
  it('spreads its per-testbed-round tool use and accuracy over columns of their own, not JSON text', async () => {
    const r = await runShipped('scenarios/tool-use/arithmetic.yaml', 'tools-rounds', 2);
    const plan = planTable(r.runDir, 'rounds');
    for (const k of ['toolUse.toolRate', 'toolUse.accuracy', 'toolUse.easy.toolRate', 'toolUse.easy.accuracy', 'toolUse.complex.accuracy']) expect(plan.columns).toContain(k);
    expect(plan.columns).not.toContain('toolUse');
    const rows: Array<Record<string, unknown>> = [];
    forEachRow(plan, 'rounds', (row) => rows.push(row));
    const lines = readFileSync(join(r.runDir, 'rounds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x['toolUse.toolRate'], x['toolUse.easy.accuracy']])).toEqual(lines.map((l) => [l.toolUse.toolRate, l.toolUse.easy.accuracy]));
  });
});

/** A shipped scenario, run for a few rounds. */
function runShipped(file: string, id: string, rounds: number) {
  const { raw, baseDir } = loadScenarioFile(join(REPO_ROOT, file));
  return runScenario(raw, { out: tempDir(), id, rounds, baseDir });
}

describe('the decisions table of games with their own decision fields', () => {
  it("adds the tool-use testbed's problem, answer and correctness as columns, as decisions.jsonl has them", async () => {
    const r = await runShipped('scenarios/tool-use/arithmetic.yaml', 'tools', 2);
    const plan = planTable(r.runDir, 'decisions');
    for (const k of ['problem', 'difficulty', 'answer', 'expected', 'correct', 'standIn']) expect(plan.columns).toContain(k);
    expect(plan.columns).not.toContain('shownChoice');
    const rows: Array<Record<string, unknown>> = [];
    forEachRow(plan, 'decisions', (row) => rows.push(row));
    const lines = readFileSync(join(r.runDir, 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.problem, x.answer, x.correct])).toEqual(lines.map((l) => [l.problem, l.answer, l.correct]));
    expect(rows.map((x) => x.seed)).toEqual(lines.map(() => 1)); // the run's seed, not a per-call one
  });

  it("adds group bargaining's role and proposal", async () => {
    const r = await runShipped('scenarios/bargaining/price.yaml', 'price', 1);
    const rows: Array<Record<string, unknown>> = [];
    forEachRow(planTable(r.runDir, 'decisions'), 'decisions', (row) => rows.push(row));
    expect(rows.map((x) => [x.role, x.valueShown])).toEqual(rows.map((x) => [x.role === 'hiker' ? 'hiker' : 'presser', 12000]));
    expect(rows.filter((x) => x.role === 'hiker').map((x) => x.proposal)).toEqual([12400, 12400, 12400, 12400, 12400, 12400]);
  });
});
