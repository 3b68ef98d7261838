import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UndirectedGraph } from 'graphology';
import * as gexfModule from 'graphology-gexf';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { AtpSimError } from '../../src/core/errors.ts';
import { cli } from '../helpers/cli.ts';
import { thresholdScenario } from '../helpers/scenarios.ts';
import type { Csr } from '../../src/core/types.ts';
import {
  buildNetwork,
  checkPopulationMatch,
  edgeCount,
  loadNetworkFile,
  parseNetworkText,
  serializeNetwork,
  writeNetworkFile,
  type NetworkFormat,
} from '../../src/networks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'atp-networks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const repoNetworks = resolve(import.meta.dirname, '../../networks');

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function same(a: Csr, b: Csr): void {
  expect(b.keys).toEqual(a.keys);
  expect(b.offsets).toEqual(a.offsets);
  expect(b.targets).toEqual(a.targets);
}

/** The issues of parsing `text`, as `path: message` lines. */
function problems(text: string, format: NetworkFormat, directed: 'error' | 'symmetrize' = 'error'): string[] {
  return parseNetworkText(text, format, 'net', directed).issues.map((i) => `${i.path}: ${i.message}`);
}

const ws = { kind: 'watts-strogatz', n: 60, k: 4, beta: 0.3 } as const;

describe('writing networks', () => {
  it('gives byte-identical JSON and GEXF files for the same spec and seed, and different ones for another seed', () => {
    for (const ext of ['json', 'gexf'] as const) {
      const paths = [1, 1, 2].map((seed, i) => {
        const path = join(dir, `ws-${i}.${ext}`);
        writeNetworkFile(path, buildNetwork(ws, { seed }).csr, { meta: { name: 'ws', seed } });
        return readFileSync(path);
      });
      expect(paths[1].equals(paths[0])).toBe(true);
      expect(paths[2].equals(paths[0])).toBe(false);
    }
  });

  it('round-trips through JSON and GEXF to the same CSR', () => {
    const { csr } = buildNetwork(ws, { seed: 5 });
    for (const format of ['json', 'gexf'] as const) {
      same(csr, parseNetworkText(serializeNetwork(csr, format), format, 'x').csr as Csr);
    }
  });

  it('writes JSON that graphology imports and GEXF that graphology-gexf parses', () => {
    const { csr } = buildNetwork({ kind: 'florentine' }, { seed: 1 });
    const imported = new UndirectedGraph();
    imported.import(JSON.parse(serializeNetwork(csr, 'json')));
    expect([imported.order, imported.size]).toEqual([15, 20]);
    const gexf = ((gexfModule as { default?: unknown }).default ?? gexfModule) as {
      parse: (G: typeof UndirectedGraph, text: string) => UndirectedGraph;
    };
    const parsed = gexf.parse(UndirectedGraph, serializeNetwork(csr, 'gexf'));
    expect([parsed.order, parsed.size, parsed.type]).toEqual([15, 20, 'undirected']);
    expect(parsed.nodes()).toEqual(csr.keys);
  });

  it('escapes keys in XML and JSON', () => {
    const text = 'source,target\n"A & <B>","say ""hi"""\n';
    const { csr } = parseNetworkText(text, 'csv', 'q');
    expect(csr?.keys).toEqual(['A & <B>', 'say "hi"']);
    for (const format of ['json', 'gexf'] as const) {
      expect(parseNetworkText(serializeNetwork(csr as Csr, format), format, 'x').csr?.keys).toEqual(csr?.keys);
    }
  });

  it('leaves no file behind when the write fails', () => {
    const { csr } = buildNetwork(ws, { seed: 1 });
    expect(() => writeNetworkFile(join(dir, 'no-such-dir', 'x.json'), csr)).toThrow();
    expect(() => writeNetworkFile(join(dir, 'x.csv'), csr)).toThrow(/\.json .* or \.gexf/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === 'x.csv')).toEqual([]);
  });
});

describe('reading network files', () => {
  it('reads GraphML with its edge direction and document node order', () => {
    const graphml = `<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph id="G" edgedefault="undirected">
    <node id="b"/><node id="a"/>
    <!-- <node id="commented-out"/> -->
    <node id="c"><data key="x">text</data></node>
    <edge source="a" target="b"><data key="w">2</data></edge>
    <edge source="b" target="c"/>
  </graph>
</graphml>`;
    const { csr, issues } = parseNetworkText(graphml, 'graphml', 'g.graphml');
    expect(issues).toEqual([]);
    expect(csr?.keys).toEqual(['b', 'a', 'c']);
    expect(edgeCount(csr as Csr)).toBe(2);
  });

  it('reads CSV with or without a header, comments, quoted keys and lone nodes; TSV and whitespace lists too', () => {
    const withHeader = parseNetworkText('# a comment\nweight,target,source\n1,b,a\n2,c,b\n', 'csv', 'x.csv');
    expect(withHeader.csr?.keys).toEqual(['a', 'b', 'c']);
    const bare = parseNetworkText('a,b\nb,c\n\nd\n', 'csv', 'x.csv');
    expect(bare.csr?.keys).toEqual(['a', 'b', 'c', 'd']);
    expect(edgeCount(bare.csr as Csr)).toBe(2);
    expect(bare.warnings.join()).toMatch(/1 isolated node.*"d"/);
    expect(parseNetworkText('source\ttarget\nx y\tz\n', 'tsv', 't').csr?.keys).toEqual(['x y', 'z']);
    expect(edgeCount(parseNetworkText('1 2\n2   3\n# c\n3 1\n', 'edgelist', 'e').csr as Csr)).toBe(3);
  });

  it('loads the shipped networks, equal to the built-in ones', () => {
    const karate = loadNetworkFile(join(repoNetworks, 'karate.json'));
    same(buildNetwork({ kind: 'karate' }, { seed: 1 }).csr, karate.csr);
    expect(karate.warnings).toEqual([]);
    const florentine = buildNetwork({ kind: 'florentine' }, { seed: 1 }).csr;
    same(florentine, loadNetworkFile(join(repoNetworks, 'florentine.json')).csr);
    same(florentine, loadNetworkFile(join(repoNetworks, 'florentine.csv')).csr);
    const lesMis = loadNetworkFile(join(repoNetworks, 'les-miserables.json')).csr;
    expect([lesMis.n, edgeCount(lesMis), lesMis.keys[0]]).toEqual([77, 254, 'Napoleon']);
  });

  it('resolves a file spec against baseDir and checks the population size', () => {
    const spec = { kind: 'file', path: 'karate.json' } as const;
    expect(buildNetwork(spec, { seed: 1, baseDir: repoNetworks }).csr.n).toBe(34);
    expect(() => buildNetwork(spec, { seed: 1, baseDir: repoNetworks, populationSize: 30 })).toThrow(
      /the network has 34 nodes but the population has 30 agents/,
    );
  });
});

describe('network file validation names the file and the place of each problem', () => {
  it('rejects self-loops, with their line', () => {
    expect(problems('a,b\nb,b\n', 'csv')).toEqual(['net:2: self-loop on node "b"']);
  });

  it('rejects repeated edges, pointing at the first one', () => {
    expect(problems('a,b\nb,c\nb,a\n', 'csv')).toEqual(['net:3: edge "b" - "a" repeats the edge at net:1']);
  });

  it('rejects directed edges with a fix, and symmetrizes them when asked', () => {
    const json = JSON.stringify({ nodes: [{ key: 'a' }, { key: 'b' }, { key: 'c' }], edges: [
      { source: 'a', target: 'b' }, { source: 'b', target: 'a' }, { source: 'b', target: 'c' },
    ] });
    const result = parseNetworkText(json, 'json', 'd.json');
    expect(result.issues.map((i) => i.path)).toEqual(['d.json edges[0]', 'd.json edges[1]', 'd.json edges[2]']);
    expect(result.issues[0].message).toMatch(/"a" -> "b" is directed \(the file has no options.type.*mutual observation/);
    expect(result.issues[0].fix).toMatch(/directed: 'symmetrize'/);
    const mutual = parseNetworkText(json, 'json', 'd.json', 'symmetrize');
    expect(mutual.issues).toEqual([]);
    expect(edgeCount(mutual.csr as Csr)).toBe(2);
    const gexf = '<gexf><graph defaultedgetype="directed"><nodes><node id="1"/><node id="2"/></nodes>\n<edges><edge source="1" target="2"/></edges></graph></gexf>';
    expect(problems(gexf, 'gexf')[0]).toMatch(/^net:2: edge "1" -> "2" is directed/);
    expect(problems(gexf, 'gexf', 'symmetrize')).toEqual([]);
    expect(problems('source,target,type\na,b,Directed\n', 'csv')[0]).toMatch(/^net:2: edge "a" -> "b" is directed/);
  });

  it('reads each line of an edge list listed both ways as one tie under symmetrize, and as a repeat otherwise', () => {
    expect(problems('a,b\nb,a\n', 'csv')).toEqual(['net:2: edge "b" - "a" repeats the edge at net:1']);
    expect(edgeCount(parseNetworkText('a,b\nb,a\n', 'csv', 'x', 'symmetrize').csr as Csr)).toBe(1);
  });

  it('rejects edges to unknown nodes, naming them', () => {
    const json = JSON.stringify({ options: { type: 'undirected' }, nodes: [{ key: 'a' }], edges: [{ source: 'a', target: 'zz' }] });
    expect(problems(json, 'json')).toEqual(['net edges[0]: edge "a" - "zz" refers to unknown node "zz"']);
    const gexf = '<gexf>\n<graph>\n<nodes><node id="1"/></nodes>\n<edges><edge source="1" target="9"/></edges></graph></gexf>';
    expect(problems(gexf, 'gexf')).toEqual(['net:4: edge "1" - "9" refers to unknown node "9"']);
  });

  it('reports every problem at once, capping each kind at 20 lines', () => {
    const loops = Array.from({ length: 30 }, (_, i) => `n${i},n${i}`).join('\n');
    const found = problems(`${loops}\na,b\na,b\n`, 'csv');
    expect(found.filter((p) => p.includes('self-loop on'))).toHaveLength(20);
    expect(found).toContain('net:21: ... and 10 more self-loops (the first is here)');
    expect(found).toContain('net:32: edge "a" - "b" repeats the edge at net:31');
  });

  it('warns about isolated nodes, which still play', () => {
    const json = JSON.stringify({ options: { type: 'undirected' }, nodes: [{ key: 'a' }, { key: 'b' }, { key: 'lonely' }], edges: [{ source: 'a', target: 'b' }] });
    const { csr, issues, warnings } = parseNetworkText(json, 'json', 'i.json');
    expect(issues).toEqual([]);
    expect(csr?.n).toBe(3);
    expect(warnings).toEqual([expect.stringMatching(/^i\.json: 1 isolated node\(s\).*observe no one: "lonely"/)]);
  });

  it('names both sizes when the network does not fit the population', () => {
    const { csr } = buildNetwork({ kind: 'karate' }, { seed: 1 });
    expect(checkPopulationMatch(csr, 34)).toEqual([]);
    expect(checkPopulationMatch(csr, 40, 'scenario.network')).toEqual([
      expect.objectContaining({ path: 'scenario.network', message: 'the network has 34 nodes but the population has 40 agents' }),
    ]);
  });

  it('reports malformed files with a location', () => {
    expect(problems('{"nodes": [', 'json')[0]).toMatch(/^net: not valid JSON/);
    expect(problems('{"edges": []}', 'json')[0]).toMatch(/^net: not a graphology JSON graph/);
    expect(problems('<gexf>\n<graph>\n<node id="a"', 'gexf')).toEqual(['net:3: not well-formed XML: unterminated tag']);
    expect(problems('<graphml><node id="a"/></graphml>', 'graphml')).toEqual(['net: not a GraphML file: no <graph> element']);
    expect(problems('a,"b\n', 'csv')).toEqual(['net:1: unterminated quoted field']);
  });

  it('refuses GEXF and GraphML that are cut off or badly nested, naming the file and line', () => {
    const gexf = '<gexf>\n<graph>\n<nodes>\n<node id="a"/>\n<node id="b"/>\n</nodes>\n<edges>\n<edge source="a" target="b"/>\n';
    expect(problems(gexf, 'gexf')).toEqual(['net:9: not well-formed XML: <edges> opened on line 7 is never closed (the file ends at line 9; is it cut off?)']);
    expect(problems('<graphml>\n<graph edgedefault="undirected">\n<node id="a">\n</graph>\n</graphml>', 'graphml')).toEqual([
      'net:4: not well-formed XML: </graph> found where <node> (opened on line 3) should be closed',
    ]);
    expect(problems('<graphml><graph></graph></graphml>\n</graphml>', 'graphml')).toEqual(['net:2: not well-formed XML: </graphml> closes nothing (no element is open here)']);
  });

  it('refuses binary data, quoting only a short escaped excerpt', () => {
    const bytes = Buffer.alloc(2048);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) % 2 ** 31) >>> 16;
    const path = file('noise.csv', '');
    writeFileSync(path, bytes);
    try {
      loadNetworkFile(path);
      expect.unreachable();
    } catch (err) {
      const message = (err as AtpSimError).message;
      expect(message).toMatch(/is not a text file: (bytes that are not UTF-8 text|a control character \(U\+[0-9A-F]{4}\)) at character \d+, near "/);
      expect(message.length).toBeLessThan(500);
      expect(message).toMatch(/^[\u0020-\u007e\n]*$/); // the bad bytes are quoted escaped, in plain ASCII
    }
  });

  it('refuses an edge list whose lines never split into two fields, saying which separator it seems to use', () => {
    expect(problems('from;to\na;b\nb;c\n', 'csv')).toEqual(['net:1: no edges: every line holds a single field, so each would be an isolated node (the first is "from;to")']);
    const fix = parseNetworkText('a;b\nb;c\n', 'csv', 'net').issues[0].fix;
    expect(fix).toContain('this file seems to separate fields with ";"');
    expect(parseNetworkText('a b\nb c\n', 'tsv', 'net').issues[0].fix).toContain('seems to separate fields with " ": write source and target separated by tabs (TSV)');
  });

  it('warns when the first row of an edge list looks like a header it does not recognise', () => {
    const { csr, warnings } = parseNetworkText('from,to\na,b\nb,c\n', 'csv', 'net');
    expect(csr?.n).toBe(5);
    expect(warnings[0]).toBe('net:1: the first row "from,to" was read as an edge between nodes "from" and "to"; if it is a header, name its columns source and target');
  });

  it('`run` prints the warnings of loading its network file on stderr (not only in the manifest)', async () => {
    file('lonely.csv', 'a,b\nb,c\nd\n');
    const scenario = file('on-file.yaml', YAML.stringify(thresholdScenario({ population: { policy: 'imitate-best' }, network: { kind: 'file', path: 'lonely.csv' }, rounds: 1, game: { options: { collective: 'invest', independent: 'keep money' }, threshold: 2, rewards: { high: 1.2, normal: 1, low: 0.8 } } })));
    const res = await cli(['run', scenario, '--out', join(dir, 'runs')]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('warning: lonely.csv: 1 isolated node(s) with no neighbours: they still play but observe no one: "d"');
  });

  it('throws FILE_NOT_FOUND for a missing file and INVALID_NETWORK listing the problems of a bad one', () => {
    expect(() => loadNetworkFile(join(dir, 'missing.csv'))).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
    const bad = file('bad.csv', 'a,a\nb,c\nc,b\n');
    try {
      loadNetworkFile(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AtpSimError);
      expect((err as AtpSimError).code).toBe('INVALID_NETWORK');
      expect((err as AtpSimError).message).toContain(`${bad}:1: self-loop on node "a"`);
      expect((err as AtpSimError).issues).toHaveLength(2);
    }
    expect(() => loadNetworkFile(file('x.dat', 'a,b'))).toThrow(/cannot tell the network format/);
  });
});
