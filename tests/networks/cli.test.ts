import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { networkCommand } from '../../src/cli/network.ts';

const dir = mkdtempSync(join(tmpdir(), 'atp-network-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await networkCommand(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('atp-sim network', () => {
  it('generates a file and describes it', async () => {
    const out = join(dir, 'ws.json');
    const gen = await run('generate', 'watts-strogatz:n=100,k=4,beta=0.1', '--seed', '7', '--out', out);
    expect(gen).toMatchObject({ code: 0, stderr: '' });
    expect(gen.stdout).toBe(`wrote ${out}: 100 nodes, 200 edges (watts-strogatz:n=100,k=4,beta=0.1, seed 7)\n`);
    const desc = await run('describe', out);
    expect(desc.code).toBe(0);
    expect(desc.stdout).toMatch(/^network +file:.*ws\.json\nnodes +100\nedges +200\n/);
    expect(desc.stdout).toMatch(/\npaths +average \d\.\d+, diameter \d+ \(exact\)\n/);
  });

  it('says in one line that --out cannot be written (a file in the way, a folder), leaving no temporary file', async () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'mine');
    const under = await run('generate', 'karate', '--out', join(blocker, 'x.json'));
    expect(under).toEqual({ code: 2, stdout: '', stderr: `atp-sim network generate: output file ${join(blocker, 'x.json')}: a file is in the way where a folder is needed (fix: choose another path, or move the file)\n` });
    const folder = join(dir, 'folder.json');
    mkdirSync(folder);
    const onFolder = await run('generate', 'karate', '--out', folder, '--force');
    expect(onFolder).toEqual({ code: 2, stdout: '', stderr: `atp-sim network generate: output file ${folder}: is a folder (fix: give a file path, not a folder)\n` });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses to overwrite an existing file unless --force, in one line with exit 2', async () => {
    const out = join(dir, 'kept.json');
    writeFileSync(out, 'mine');
    const refused = await run('generate', 'karate', '--out', out);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: `atp-sim network generate: ${out} already exists; nothing written (fix: add --force to overwrite it, or choose another --out)\n` });
    expect(readFileSync(out, 'utf8')).toBe('mine');
    expect((await run('generate', 'karate', '--out', out, '--force')).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toBe('mine');
  });

  it('writes the same bytes for the same spec and seed, as JSON and GEXF', async () => {
    for (const ext of ['json', 'gexf']) {
      const [a, b] = [join(dir, `a.${ext}`), join(dir, `b.${ext}`)];
      await run('generate', 'ba:n=300,m=2', '--seed', '3', '--out', a);
      await run('generate', 'ba:n=300,m=2', '--seed', '3', '--out', b);
      expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    }
    expect(readFileSync(join(dir, 'a.gexf'), 'utf8')).toContain('<graph mode="static" defaultedgetype="undirected">');
  });

  it('describes a spec as JSON with the reference karate values', async () => {
    const { code, stdout } = await run('describe', 'karate', '--json');
    expect(code).toBe(0);
    const d = JSON.parse(stdout);
    expect(d).toMatchObject({ network: 'karate', seed: 1, nodes: 34, edges: 78, averageClustering: 0.5706384782076823 });
  });

  it('prints help for the command and each subcommand', async () => {
    expect((await run('--help')).stdout).toMatch(/Commands:\n +generate/);
    expect(await run('generate', '--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: atp-sim network generate/) });
    expect(await run('describe', '-h')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: atp-sim network describe/) });
  });

  it('exits 2 on a bad spec, one line per problem, and writes nothing', async () => {
    const out = join(dir, 'bad.json');
    const r = await run('generate', 'ws:n=20,k=5,beta=1.2', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'atp-sim network generate: spec.k: must be even; got 5 (fix: use 4 or 6)',
      'atp-sim network generate: spec.beta: must be in [0, 1]; got 1.2 (fix: beta is the rewiring probability: 0 keeps the ring, 1 randomises it)',
    ]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('bad') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('exits 2 on a bad file, naming the file and line', async () => {
    const bad = join(dir, 'loops.csv');
    writeFileSync(bad, 'a,b\nb,b\n');
    const r = await run('describe', bad);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe(`atp-sim network describe: ${bad}:2: self-loop on node "b" (fix: remove it: an agent always knows its own choice, a self-loop would make it count twice)\n`);
    expect((await run('describe', join(dir, 'missing.csv'))).stderr).toMatch(/missing\.csv: no such file/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('generate', 'karate')).stderr).toMatch(/--out FILE is required/);
    expect((await run('generate', 'karate', '--out', join(dir, 'k.txt'))).stderr).toMatch(/use a \.json \(graphology\) or \.gexf/);
    expect((await run('describe', 'karate', '--seed', 'x')).stderr).toMatch(/--seed must be an integer; got "x"/);
    expect((await run('describe', 'karate', '--out', 'x.json')).stderr).toMatch(/--out does not apply here/);
    expect((await run('describe', 'karate', '--bogus')).code).toBe(2);
    expect((await run('frobnicate')).stderr).toMatch(/unknown command "frobnicate"/);
    expect((await run()).code).toBe(2);
    expect(existsSync(join(dir, 'k.txt'))).toBe(false);
  });
});
