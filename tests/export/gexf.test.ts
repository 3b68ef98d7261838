/**
 * A run's network.gexf for Gephi: per-agent attributes and the choice per round as GEXF 1.3
 * spells, read back by two independent readers (graphology-gexf's parser, and python3's
 * xml.etree with a check of the spells) and compared with the run's own records; the
 * network-file limit is a setting that says when it skips.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UndirectedGraph } from 'graphology';
import * as gexfModule from 'graphology-gexf';
import { beforeAll, describe, expect, it } from 'vitest';
import { assignRoles } from '../../src/policies/roles.ts';
import type { DecisionRecord } from '../../src/core/types.ts';
import { readJson, readJsonl } from '../../src/io/files.ts';
import { runScenario, type RunResult } from '../../src/run.ts';
import { readSweepFile, rebuildNetwork, runSweep, type RunManifestView } from '../../src/sweep.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const ROUNDS = 6;
const SCENARIO = thresholdScenario({
  rounds: ROUNDS,
  population: { size: 24, policy: 'imitate-best', committed: { count: 3 }, seedViolators: { count: 4, placement: 'random' } },
  network: { kind: 'watts-strogatz', meanDegree: 4, beta: 0.2 },
  game: { options: { collective: 'join', independent: 'stay out' }, scope: 'neighborhood', threshold: 0.3, rewards: { high: 1.3, normal: 1.0, low: 0.9 }, successPaysAll: false },
});

const gexf = ((gexfModule as { default?: unknown }).default ?? gexfModule) as {
  parse: (G: typeof UndirectedGraph, text: string, options?: { allowUndeclaredAttributes?: boolean }) => UndirectedGraph;
};

/** python3's xml.etree: every node's static values and its spells per dynamic attribute, with the spells checked. */
const PY_READER = String.raw`
import json, sys, xml.etree.ElementTree as ET
ns = {'g': 'http://gexf.net/1.3'}
root = ET.parse(sys.argv[1]).getroot()
assert root.get('version') == '1.3', root.get('version')
graph = root.find('g:graph', ns)
assert graph.get('mode') == 'dynamic' and graph.get('timeformat') == 'integer', graph.attrib
dynamic = {a.get('id') for b in graph.findall('g:attributes', ns) if b.get('mode') == 'dynamic' for a in b.findall('g:attribute', ns)}
out = {}
for node in graph.find('g:nodes', ns).findall('g:node', ns):
    static, spells = {}, {}
    for v in node.find('g:attvalues', ns).findall('g:attvalue', ns):
        key = v.get('for')
        if key in dynamic:
            spells.setdefault(key, []).append([v.get('value'), int(v.get('start')), int(v.get('end'))])
        else:
            assert v.get('start') is None and v.get('end') is None, (key, v.attrib)
            static[key] = v.get('value')
    for key, list_ in spells.items():
        for (_, s, e), (_, s2, _e2) in zip(list_, list_[1:]):
            assert s <= e and e < s2, ('overlapping or unordered spells', node.get('id'), key, list_)
    out[node.get('id')] = {'static': static, 'spells': spells}
print(json.dumps(out))
`;

function readWithPython(file: string): Record<string, { static: Record<string, string>; spells: Record<string, Array<[string, number, number]>> }> {
  const res = spawnSync('python3', ['-c', PY_READER, file], { encoding: 'utf8' });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as ReturnType<typeof readWithPython>;
}

/** The choice per round, expanded from spells: [round 1, ..., round R]. */
function perRound(spells: Array<[string, number, number]>): string[] {
  const out: string[] = [];
  for (const [value, start, end] of spells) for (let r = start; r <= end; r++) out[r - 1] = value;
  return out;
}

let run: RunResult;
beforeAll(async () => {
  run = await runScenario(SCENARIO, { out: tempDir(), id: 'gexf' });
});

function expected() {
  const manifest = readJson<RunManifestView>(join(run.runDir, 'manifest.json'));
  const csr = rebuildNetwork(manifest);
  const roles = assignRoles(run.scenario, csr);
  const decisions = readJsonl<DecisionRecord>(join(run.runDir, 'decisions.jsonl'));
  return { csr, roles, decisions };
}

describe("a run's network.gexf", () => {
  it('is a dynamic GEXF 1.3 whose choice spells give back every recorded decision, read by python3 xml.etree', () => {
    const { csr, decisions } = expected();
    const read = readWithPython(join(run.runDir, 'network.gexf'));
    expect(Object.keys(read)).toEqual(csr.keys);
    for (let a = 0; a < csr.n; a++) {
      const mine = decisions.filter((d) => d.agent === a).sort((x, y) => x.round - y.round);
      expect(mine).toHaveLength(ROUNDS);
      const node = read[csr.keys[a]];
      expect(perRound(node.spells.choice)).toEqual(mine.map((d) => d.choice ?? '(invalid)'));
      expect(perRound(node.spells.violated)).toEqual(mine.map((d) => String(d.violated)));
    }
    // Some agent changed its mind, so the file really holds more than one spell somewhere.
    expect(Object.values(read).some((n) => n.spells.choice.length > 1)).toBe(true);
  });

  it('carries role, policy, committed, seeded, final choice and degree, read by graphology-gexf', () => {
    const { csr, roles, decisions } = expected();
    // graphology-gexf keeps one <attributes> block per class (the static one, typed); the dynamic
    // values come as untyped extras, the last spell winning, which is the final choice.
    const graph = gexf.parse(UndirectedGraph, readFileSync(join(run.runDir, 'network.gexf'), 'utf8'), { allowUndeclaredAttributes: true });
    expect([graph.order, graph.size]).toEqual([csr.n, csr.targets.length / 2]);
    const committed = new Set(roles.committed);
    const seeded = new Set(roles.seedViolators);
    expect([committed.size, seeded.size]).toEqual([3, 4]);
    for (let a = 0; a < csr.n; a++) {
      const attrs = graph.getNodeAttributes(csr.keys[a]);
      const last = decisions.filter((d) => d.agent === a && d.round === ROUNDS)[0];
      expect(attrs).toMatchObject({
        role: committed.has(a) ? 'committed' : seeded.has(a) ? 'seeded' : 'regular',
        policy: roles.policyName(a),
        committed: committed.has(a),
        seeded: seeded.has(a),
        finalChoice: last.choice,
        degree: graph.degree(csr.keys[a]),
        choice: last.choice,
        violated: String(last.violated),
      });
      expect(attrs.degree).toBe(csr.offsets[a + 1] - csr.offsets[a]);
    }
  });

  it('is rewritten when a stopped run ends and again when it is resumed, covering the rounds done', async () => {
    const stop = new AbortController();
    const first = await runScenario(SCENARIO, { out: tempDir(), id: 'halves', signal: stop.signal, onRound: (r) => r.round === 3 && stop.abort('test') });
    expect(first.status).toBe('stopped');
    const spellEnds = () => Object.values(readWithPython(join(first.runDir, 'network.gexf'))).map((n) => n.spells.choice.at(-1)![2]);
    expect(new Set(spellEnds())).toEqual(new Set([first.rounds.length]));
    const resumed = await runScenario(undefined, { resume: first.runDir });
    expect(resumed.status).toBe('complete');
    expect(new Set(spellEnds())).toEqual(new Set([ROUNDS]));
    expect(readFileSync(join(first.runDir, 'network.gexf'), 'utf8')).toBe(readFileSync(join(run.runDir, 'network.gexf'), 'utf8'));
  });

  it('is written again, the same, by atp-sim export <run> --format gexf', async () => {
    const before = readFileSync(join(run.runDir, 'network.gexf'), 'utf8');
    const out = join(tempDir(), 'again.gexf');
    const res = await cli(['export', run.runDir, '--format', 'gexf', '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`24 nodes, rounds 1-${ROUNDS} as spells -> ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(before);
  });
});

describe('the network-file limit', () => {
  it('is a setting: a run over it writes no network files and says so in its manifest and once as a warning', async () => {
    const warnings: string[] = [];
    const over = await runScenario(SCENARIO, { out: tempDir(), id: 'big', networkFileLimit: 20, onWarning: (w) => warnings.push(w) });
    expect(existsSync(join(over.runDir, 'network.gexf')) || existsSync(join(over.runDir, 'network.json'))).toBe(false);
    const note = readJson<{ networkFiles?: string }>(join(over.runDir, 'manifest.json')).networkFiles;
    expect(note).toMatch(/^not written: 24 nodes is over the network-file limit of 20 \(fix: --network-files 24/);
    expect(warnings).toEqual([`network.json and network.gexf ${note}`]);
    // ... and the file can still be had afterwards, for any size.
    const res = await cli(['export', over.runDir, '--format', 'gexf']);
    expect(res.code, res.stderr).toBe(0);
    expect(readWithPython(join(over.runDir, 'network.gexf'))).toHaveProperty(['0', 'spells', 'choice']);
  });

  it('is 0 for never, without a warning', async () => {
    const warnings: string[] = [];
    const never = await runScenario(SCENARIO, { out: tempDir(), id: 'never', networkFileLimit: 0, onWarning: (w) => warnings.push(w) });
    expect(existsSync(join(never.runDir, 'network.gexf'))).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('is --network-files on the command line, which prints one line when a run is over it', async () => {
    const file = join(tempDir(), 'game.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(SCENARIO));
    const out = tempDir();
    const res = await cli(['run', file, '--out', out, '--id', 'cli', '--network-files', '10']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr.trim().split('\n').filter((l) => l.includes('network-file limit'))).toEqual([
      'warning: network.json and network.gexf not written: 24 nodes is over the network-file limit of 10 (fix: --network-files 24 or networkFileLimit: 24, or afterwards: atp-sim export <run> --format gexf)',
    ]);
    const bad = await cli(['run', file, '--out', out, '--network-files', 'many']);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, expect.stringMatching(/^atp-sim: --network-files: must be a whole number >= 0/)]);
    rmSync(out, { recursive: true, force: true });
  });

  it('is networkFileLimit for a sweep, whose runs each note it and whose warning comes once', async () => {
    const warnings: string[] = [];
    const out = tempDir();
    await runSweep({ name: 'limited', base: SCENARIO, grid: { 'network.beta': [0.1, 0.3] }, replicates: 1, seed: 1 }, { out, networkFileLimit: 20, onWarning: (w) => warnings.push(w) });
    const cells = readSweepFile(join(out, 'limited')).cells;
    for (const c of cells) {
      const runDir = join(out, 'limited', 'runs', c.id);
      expect(readJson<{ networkFiles?: string }>(join(runDir, 'manifest.json')).networkFiles).toMatch(/^not written: 24 nodes/);
      expect(existsSync(join(runDir, 'network.gexf'))).toBe(false);
    }
    expect(new Set(warnings).size).toBe(1);
  });

  it('is checked in the library API', async () => {
    await expect(runScenario(SCENARIO, { out: tempDir(), networkFileLimit: -1 })).rejects.toThrow(/options.networkFileLimit must be a whole number of nodes >= 0/);
    await expect(runSweep({ name: 'x', base: SCENARIO, grid: {}, replicates: 1 }, { out: tempDir(), networkFileLimit: 1.5 })).rejects.toThrow(/runSweep: options.networkFileLimit must be a whole number/);
  });
});
