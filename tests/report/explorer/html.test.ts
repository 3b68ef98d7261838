/**
 * The explorer page as a file: data inlined as inert JSON (a reply cannot close its script
 * element), one inline script allowed by its hash, and a security policy that forbids requests.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EXPLORER_FORMAT, renderExplorer, type ExplorerData } from '../../../src/report/explorer/index.ts';

const HOSTILE = '</script><script>window.__pwned = 1</script><!-- <img src=x onerror=alert(1)> \u2028';

function tinyData(): ExplorerData {
  return {
    format: EXPLORER_FORMAT,
    title: 'Run <b>x</b> & "y"',
    kind: 'run',
    notes: [],
    conditions: [{ label: 'base', params: {}, runs: [0] }],
    runs: [
      {
        id: 'x',
        condition: 0,
        replicate: 0,
        seed: 1,
        scenario: 's',
        model: 'scripted:script',
        totalAgents: 2,
        totalEdges: 1,
        sampleNote: null,
        agents: [0, 1],
        edges: [0, 1],
        positions: [0, 0.5, 1, 0.5],
        layout: 'circle',
        degree: [1, 1],
        roles: [1, 2],
        roleNames: ['committed', 'seeded', 'regular'],
        policies: [0, 0],
        policyNames: ['llm'],
        optionNames: ['invest', 'keep'],
        violationIndex: 0,
        choices: [[0, 1]],
        flags: [[1, 0]],
        capital: [[1.2, 1]],
        series: [{ round: 1, violationRate: 0.5, invalid: 0, meanCapital: 1.1 }],
        turns: { '1': [{ round: 1, messages: [['user', 0]], reply: 1, reasoning: -1, choice: 'keep', valid: true, payoff: 0 }] },
      },
    ],
    texts: ['Round 1.', HOSTILE],
  };
}

describe('the explorer page file', () => {
  const data = tinyData();
  const page = renderExplorer(data);

  it('inlines the data as JSON that no text inside it can end early', () => {
    expect(page.match(/<script/g)).toHaveLength(2);
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    const json = page.slice(page.indexOf('id="explorer-data">') + 'id="explorer-data">'.length, page.indexOf('</script>'));
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(data);
  });

  it('escapes the title', () => {
    expect(page).toContain('<title>Run &lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;</title>');
    expect(page).not.toContain('<b>x</b>');
  });

  it('allows its own script by hash and forbids every request', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)![1].replace(/&#39;/g, "'");
    const script = page.slice(page.lastIndexOf('<script>') + '<script>'.length, page.lastIndexOf('</script>'));
    const hash = createHash('sha256').update(script, 'utf8').digest('base64');
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `script-src 'sha256-${hash}'`,
      "style-src 'unsafe-inline'",
      'img-src data:',
      "connect-src 'none'",
      "form-action 'none'",
      "base-uri 'none'",
    ]);
    expect(script).not.toMatch(/<\/script/i);
  });
});
