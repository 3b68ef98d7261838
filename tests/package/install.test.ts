/**
 * The package as a user gets it: packed, installed from the tarball into a scratch project
 * (offline, from npm's cache), imported by plain Node, type-checked by tsc under both module
 * resolutions users have, and run as a command. One pack and one install serve every check.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { installPackedProject } from '../helpers/consumer.ts';
import { tempDir } from '../helpers/paths.ts';
import { readmeExample } from '../helpers/readme.ts';
import { NODE22 } from '../../scripts/ensure-node22.mjs';

const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const INSTALL_TIMEOUT_MS = 600_000;

const SCENARIO = {
  name: 'packed',
  kind: 'threshold-game',
  rounds: 3,
  seed: 1,
  population: { size: 12, policy: { kind: 'imitate-best' }, seedViolators: { count: 2, placement: 'highest-degree' } },
  network: { kind: 'watts-strogatz', k: 4, beta: 0.1 },
  game: { options: { collective: 'invest', independent: 'keep' }, threshold: 4, rewards: { high: 1.2, normal: 1.0, low: 0.8 } },
};

const MJS_CONSUMER = `import { runScenario, VERSION, AtpSimError } from 'atp-sim';
const result = await runScenario(${JSON.stringify(SCENARIO)}, { out: 'runs-mjs' });
console.log(JSON.stringify({ version: VERSION, status: result.status, rounds: result.summary.roundsCompleted, error: typeof AtpSimError }));
`;

const TS_CONSUMER = `import { runScenario, networks, type RunResult, type Scenario } from 'atp-sim';
export async function finalRate(raw: unknown): Promise<number | null> {
  const result: RunResult = await runScenario(raw, { out: 'runs' });
  const scenario: Scenario = result.scenario;
  void scenario;
  return result.summary.finalViolationRate;
}
export const ns: object = networks;
`;

function tsconfig(module: string, moduleResolution: string): string {
  return JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module, moduleResolution, skipLibCheck: false }, files: ['consumer.ts'] });
}

function run(cwd: string, args: string[], node = process.execPath): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(node, args, { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the packed package', () => {
  let dir = '';
  let tarball = '';
  beforeAll(() => {
    dir = tempDir('atp-sim-consumer-');
    tarball = installPackedProject(dir);
    writeFileSync(join(dir, 'consumer.mjs'), MJS_CONSUMER);
    writeFileSync(join(dir, 'consumer.ts'), TS_CONSUMER);
    writeFileSync(join(dir, 'tsconfig.node16.json'), tsconfig('node16', 'node16'));
    writeFileSync(join(dir, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler'));
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify(SCENARIO));
  }, INSTALL_TIMEOUT_MS);

  it('is imported by plain Node from an .mjs file and runs a scenario', () => {
    const r = run(dir, ['consumer.mjs']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ version: expect.any(String), status: 'complete', rounds: 3, error: 'function' });
  });

  it.each(['node16', 'bundler'])('type-checks a strict TypeScript consumer under %s resolution with zero errors', (resolution) => {
    const r = run(dir, [TSC, '-p', `tsconfig.${resolution}.json`]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('runs the installed command, compiled (no TypeScript loader installed)', () => {
    expect(() => createRequire(join(dir, 'package.json')).resolve('tsx')).toThrow();
    const version = run(dir, ['node_modules/.bin/atp-sim', '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const r = run(dir, ['node_modules/.bin/atp-sim', 'run', 'scenario.json', '--out', 'runs-cli', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'complete' });
  });

  it('runs the quickstart from the compiled files (shipped sweep file, chart worker, report)', () => {
    const r = run(dir, ['node_modules/.bin/atp-sim', 'quickstart', '--out', 'qs']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'qs/topologies/report.html'), 'utf8')).toContain('<svg');
  });

  it('writes the explorer page from the compiled files, with the prebuilt page script and no bundler', () => {
    expect(() => createRequire(join(dir, 'package.json')).resolve('esbuild')).toThrow();
    expect(run(dir, ['node_modules/.bin/atp-sim', 'run', 'scenario.json', '--out', 'runs-explore', '--id', 'x']).code).toBe(0);
    const r = run(dir, ['node_modules/.bin/atp-sim', 'explore', 'runs-explore/x']);
    expect(r.code, r.stderr).toBe(0);
    const page = readFileSync(join(dir, 'runs-explore/x/explorer.html'), 'utf8');
    expect(page).toContain('<script type="application/json" id="explorer-data">');
    expect(page.length).toBeGreaterThan(100_000);
  });

  it("serves a run's explorer page from the compiled files, drawn on the compiled worker thread", async () => {
    expect(run(dir, ['node_modules/.bin/atp-sim', 'run', 'scenario.json', '--out', 'runs-serve', '--id', 'x']).code).toBe(0);
    const child = spawn(process.execPath, ['node_modules/.bin/atp-sim', 'serve', 'runs-serve', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = / at (http:\/\/\S+) /.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening: ${out}`)));
      });
      const res = await fetch(`${url}explore/x`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<script type="application/json" id="explorer-data">');
    } finally {
      child.kill('SIGINT');
    }
  });

  it('leaves node-llama-cpp out; a local: model then says in one line how to install it', () => {
    expect(existsSync(join(dir, 'node_modules/node-llama-cpp'))).toBe(false);
    const scenario = 'node_modules/atp-sim/scenarios/atp/public-fund.yaml';
    const r = run(dir, ['node_modules/.bin/atp-sim', 'run', scenario, '--model', 'local:model.gguf', '--out', 'runs-local']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('(fix: npm install node-llama-cpp@3.21.1)')]);
    expect(existsSync(join(dir, 'runs-local'))).toBe(false);
  });

  it('runs the README library example unchanged', () => {
    writeFileSync(join(dir, 'readme-example.mjs'), readmeExample('Using the library'));
    const r = run(dir, ['readme-example.mjs']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^20 agents; violation rate by round /);
  });

  // Node 20 reaches its end of life: the same package under Node 22 (fetched by `pretest`).
  const node22 = existsSync(NODE22) ? NODE22 : undefined;
  if (!node22) console.log(`node 22 checks skipped: ${NODE22} is missing (npm test fetches it with scripts/ensure-node22.mjs; offline or not linux-x64 it cannot)`);
  it.skipIf(!node22)('runs under Node 22 too: plain import, the command and the README example', () => {
    expect(run(dir, ['--version'], node22).stdout.trim()).toMatch(/^v22\./);
    const mjs = run(dir, ['consumer.mjs'], node22);
    expect(mjs.stderr).toBe('');
    expect(JSON.parse(mjs.stdout)).toMatchObject({ status: 'complete', rounds: 3 });
    const cli = run(dir, ['node_modules/.bin/atp-sim', 'run', 'scenario.json', '--out', 'runs-node22', '--json'], node22);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'complete' });
    const readme = run(dir, ['readme-example.mjs'], node22);
    expect(readme.stderr).toBe('');
    expect(readme.stdout).toMatch(/^20 agents; violation rate by round /);
  });

  it('ships compiled JavaScript and its types, not the sources or the tests', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { cwd: dir, encoding: 'utf8' });
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/dist/report/vega-worker.mjs');
    expect(listing).toContain('package/dist/report/explorer-worker.mjs');
    expect(listing).toContain('package/dist/report/explorer/explorer-client.js');
    expect(listing).not.toContain('explorer/client/');
    expect(listing).toContain('package/LICENSE');
    expect(listing).toContain('package/CHANGELOG.md');
    expect(listing).not.toMatch(/package\/(src|tests|bench)\//);
  });
});
