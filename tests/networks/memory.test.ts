import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkRunFits, estimateRunBytes, expectedMeanDegree } from '../../src/networks/memory.ts';
import { parseNetworkSpec } from '../../src/networks/spec.ts';
import { checkScenario } from '../../src/scenarios/parse.ts';
import { cli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/paths.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';

const degree = (spec: Record<string, unknown>, n: number) => expectedMeanDegree(parseNetworkSpec(spec, 'network', { populationSize: n }).spec!, n);

describe('memory is estimated before a population and its network are built', () => {
  it('the expected mean degree follows from the spec', () => {
    expect(degree({ kind: 'complete' }, 100)).toBe(99);
    expect(degree({ kind: 'ring', k: 6 }, 100)).toBe(6);
    expect(degree({ kind: 'barabasi-albert', m: 3 }, 100)).toBe(6);
    expect(degree({ kind: 'erdos-renyi', p: 0.1 }, 101)).toBeCloseTo(10, 9);
    expect(degree({ kind: 'grid' }, 100)).toBe(4);
  });

  it('a run that does not fit is refused with the estimate and the limit', () => {
    expect(() => checkRunFits({ agents: 1e6, meanDegree: 4, llmAgents: 0, network: 'a ring network' }, 100 * 2 ** 20)).toThrow(
      /^1,000,000 agents on a ring network \(mean degree ~4\) need about 252 MB, more than the 100 MB this process may use \(fix: fewer agents or a sparser network; .*--max-old-space-size=\d+\)$/,
    );
    expect(() => checkRunFits({ agents: 1e6, meanDegree: 4, llmAgents: 0, network: 'a ring network' }, 2 ** 40)).not.toThrow();
    expect(estimateRunBytes(10, 2, 10)).toBeGreaterThan(estimateRunBytes(10, 2, 0));
  });

  it('`network generate` of 10^8 nodes is refused the same way', async () => {
    const res = await cli(['network', 'generate', 'ba:n=100000000,m=5', '--out', join(tempDir(), 'ba.json')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^atp-sim network generate: 100,000,000 agents on a barabasi-albert network \(mean degree ~10\) need about [\d,]+ MB/);
  });

  it('`run --dry-run` of 10^8 agents on a ring stops at once with one line and exit 2', async () => {
    const file = join(tempDir(), 'huge.yaml');
    writeFileSync(file, YAML.stringify(thresholdScenario({ population: { size: 1e8, policy: 'imitate-best' }, network: { kind: 'ring', k: 4 } })));
    const res = await cli(['run', file, '--dry-run']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^atp-sim: 100,000,000 agents on a ring network \(mean degree ~4\) need about [\d,]+ MB, more than the [\d,]+ MB this process may use/);
  });
});

describe('text fields have a size limit', () => {
  it('a description over 10,000 characters is refused, naming the field and the fix', () => {
    const { issues } = checkScenario(thresholdScenario({ description: 'x'.repeat(10_001) }));
    expect(issues).toEqual([
      {
        path: 'description',
        message: "is 10,001 characters long; at most 10,000 are accepted (it is copied into every run's manifest)",
        fix: 'shorten it; keep long notes in a separate file beside the scenario',
      },
    ]);
  });

  it('a prompt text over 100,000 characters is refused', () => {
    const raw = thresholdScenario();
    (raw.prompt as { text: { system: string } }).text.system = 'y'.repeat(100_001);
    expect(checkScenario(raw).issues.map((i) => i.path)).toEqual(['prompt.text.system']);
  });
});
