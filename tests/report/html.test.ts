import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rngStream } from '../../src/core/rng.ts';
import {
  compileToVega,
  diffusionSpec,
  exposureSpec,
  heatmapSpec,
  renderCharts,
  renderChartsSync,
  reportCharts,
  scopeSvgIds,
  uniqueLabels,
} from '../../src/report/charts.ts';
import { escapeHtml, html, trusted } from '../../src/report/escape.ts';
import { pct, renderReport, renderReportAsync } from '../../src/report/html.ts';
import { layoutNetwork } from '../../src/report/layout.ts';
import { countStates, nodeState } from '../../src/report/network-svg.ts';
import type { ReportData } from '../../src/report/types.ts';
import { renderVegaSvg } from '../../src/report/vega-render.mjs';
import { fixtureReport, XSS_REPLY } from './fixture.ts';
import { handlerAttributes, tagAttributes, tagNames, xmlProblems } from './svg-check.ts';

/** Every tag the page may contain: our HTML, our network SVG, and what Vega's SVG renderer emits. */
const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'main', 'header', 'h1', 'h2', 'h3', 'p', 'nav',
  'ul', 'li', 'a', 'section', 'figure', 'figcaption', 'div', 'table', 'thead', 'tbody', 'tr', 'th',
  'td', 'code', 'span', 'article', 'details', 'summary', 'pre', 'footer', 'dl', 'dt', 'dd',
  'svg', 'g', 'path', 'rect', 'circle', 'text', 'line', 'defs', 'clippath', 'lineargradient', 'stop',
]);

/** Every string field of a ReportData set to `s` plus a field marker. */
function hostileData(s: string): ReportData {
  const base = fixtureReport({ conditions: 2, rounds: 4, nodes: 6 });
  const params = { [`${s}-key`]: `${s}-value`, nested: { [s]: s } };
  return {
    ...base,
    title: `${s}-title`,
    subtitle: `${s}-subtitle`,
    conditions: base.conditions.map((c, i) => ({ ...c, label: `${s}-cond${i}`, params })),
    heatmap: {
      xLabel: `${s}-xLabel`,
      yLabel: `${s}-yLabel`,
      cells: [
        { x: `${s}-x0`, y: `${s}-y0`, value: 0.2, n: 3 },
        { x: `${s}-x1`, y: `${s}-y0`, value: 0.8, n: 3 },
      ],
    },
    exposure: base.exposure.map((e, i) => ({ ...e, label: `${s}-curve${i}` })),
    network: {
      ...base.network!,
      labels: base.network!.labels!.map((_, i) => `${s}-node${i}`),
      optionNames: [`${s}-opt0`, `${s}-opt1`],
    },
    runs: base.runs.slice(0, 2).map((r, i) => ({ ...r, id: `${s}-run${i}`, params })),
    transcripts: [
      {
        run: `${s}-trun`,
        round: 2,
        agent: 1,
        messages: [
          { role: 'system', content: `${s}-system` },
          { role: 'user', content: `${s}-user` },
        ],
        reply: `${s}-reply`,
        choice: `${s}-choice`,
        note: `${s}-note`,
      },
    ],
  };
}

/** Fields rendered as HTML text (Vega-only strings, such as exposure labels, are checked apart). */
const HTML_FIELDS = [
  'title', 'subtitle', 'cond0', 'cond1', 'key', 'value', 'xLabel', 'yLabel', 'node0', 'node5', 'opt0', 'opt1',
  'run0', 'run1', 'trun', 'system', 'user', 'reply', 'choice', 'note',
];

function expectSafe(page: string): void {
  expect([...tagNames(page)].filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
  expect(handlerAttributes(page)).toEqual([]);
  expect(page).not.toMatch(/<(script|img|iframe|object|embed|link|base)\b/i);
}

describe('escapeHtml', () => {
  it('escapes the five special characters and nothing else', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
    expect(escapeHtml('plain text, ünïcode → ok')).toBe('plain text, ünïcode → ok');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('turns null and undefined into an empty string and other values into their text', () => {
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(0.5)).toBe('0.5');
  });
});

describe('the html tag', () => {
  it('escapes interpolated strings, joins arrays and passes markup built by itself', () => {
    const inner = html`<i>${'<x>'}</i>`;
    expect(html`<p>${'a&b'} ${[inner, '<y>']} ${false}${null}</p>`.markup).toBe('<p>a&amp;b <i>&lt;x&gt;</i>&lt;y&gt; </p>');
    expect(html`${trusted('<svg></svg>')}`.markup).toBe('<svg></svg>');
  });

  it('escapes a data object that merely looks like markup', () => {
    const forged = { markup: '<script>alert(1)</script>' };
    expect(html`${forged}`.markup).not.toContain('<script>');
  });
});

describe('renderReport escapes every data field', () => {
  const rng = rngStream(42, 'report-fuzz');
  const alphabet = ['<', '>', '&', '"', "'", 'a', ' ', '/', '=', 'script', 'img', 'on', '\n'];
  const fuzz = Array.from({ length: 3 }, () => Array.from({ length: 24 }, () => alphabet[Math.floor(rng() * alphabet.length)]).join(''));
  const payloads = [
    '<script>window.__pwned=1</script>',
    '"><img src=x onerror="alert(1)">',
    "'><svg onload='alert(1)'>",
    '&lt;already&gt; & <b>bold</b>',
    ...fuzz,
  ];

  it.each(payloads.map((p) => [JSON.stringify(p), p]))('with %s in every field', async (_, payload) => {
    const page = await renderReportAsync(hostileData(payload));
    expectSafe(page);
    for (const field of HTML_FIELDS) expect(page, field).toContain(escapeHtml(`${payload}-${field}`));
    // Exposure labels only appear inside Vega's SVG (which escapes < and & in text itself, and
    // may shorten long legend labels): the raw payload must appear nowhere.
    if (/[<&]/.test(payload)) expect(page).not.toContain(payload);
  });

  it('shows the malicious reply of the fixture as text', () => {
    const page = renderReport(fixtureReport());
    expectSafe(page);
    expect(page).toContain(escapeHtml(XSS_REPLY));
    expect(page).toContain('<h1>Tipping sweep &lt;b&gt;bold?&lt;/b&gt; &amp; friends</h1>');
  });
});

describe('renderReport output', () => {
  const data = fixtureReport();

  it('is the same bytes on every call, synchronous or not', async () => {
    const first = renderReport(data);
    const second = await renderReportAsync(data);
    const third = renderReport(data);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('holds no URL, no script and an offline Content-Security-Policy', () => {
    const page = renderReport(data);
    expect(page).not.toMatch(/https?:|url\((?!#)/i);
    const attributes = tagAttributes(page);
    expect(attributes.filter((a) => ['src', 'srcset', 'xlink:href', 'action', 'poster', 'data', 'background'].includes(a.name))).toEqual([]);
    expect(attributes.filter((a) => a.name === 'href' && !a.value.startsWith('#'))).toEqual([]);
    expect(attributes.filter((a) => a.name === 'href').length).toBeGreaterThan(5);
    expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
  });

  it('has every section when the data has everything', () => {
    const page = renderReport(data);
    for (const id of ['conditions', 'diffusion', 'heatmap', 'exposure', 'network', 'runs', 'transcripts']) {
      expect(page, id).toContain(`<section id="${id}">`);
      expect(page, id).toContain(`<a href="#${id}">`);
    }
    for (const chart of ['chart-violation', 'chart-success', 'chart-heatmap', 'chart-exposure']) expect(page, chart).toContain(`data-chart="${chart}"`);
    expect(page.match(/<svg class="network"/g)).toHaveLength(2);
    expect(page.match(/<circle class="n[vci]"[^>]*><title>/g)).toHaveLength(60);
  });

  it('leaves out what the data does not have', async () => {
    const bare: ReportData = { title: 'empty', kind: 'run', conditions: [], exposure: [], runs: [], transcripts: [] };
    const page = await renderReportAsync(bare);
    expect(page).not.toContain('<section');
    expect(page).not.toContain('<svg');
    expect(page).toContain('<h1>empty</h1>');
    expect(page).toContain('Run report · 0 conditions, 0 runs');

    const partial = await renderReportAsync({ ...data, subtitle: undefined, heatmap: undefined, network: undefined, conditions: data.conditions.map(({ success: _, ...c }) => c) });
    expect(partial).not.toContain('class="subtitle"');
    expect(partial).not.toContain('<section id="heatmap">');
    expect(partial).not.toContain('<section id="network">');
    expect(partial).not.toContain('data-chart="chart-success"');
    expect(partial).toContain('data-chart="chart-violation"');
    expect(partial).toContain('<section id="exposure">');
  });

  it('draws only finite points and skips empty exposure bins', () => {
    const cond = data.conditions[0];
    const spec = diffusionSpec([{ ...cond, violation: [...cond.violation, { round: 11, mean: NaN, lo: 0, hi: 1, n: 0 }] }], 'violation') as { data: { values: unknown[] } };
    expect(spec.data.values).toHaveLength(cond.violation.length);
    expect(exposureSpec([{ label: 'x', points: [{ k: 0, p: 0, lo: 0, hi: 0, n: 0 }] }])).toBeUndefined();
    expect(heatmapSpec({ xLabel: 'x', yLabel: 'y', cells: [] })).toBeUndefined();
    expect(diffusionSpec([], 'success')).toBeUndefined();
  });
});

describe('chart SVG', () => {
  it('is well-formed SVG with marks, for every chart of the fixture', async () => {
    const charts = reportCharts(fixtureReport());
    expect(charts.map((c) => c.id)).toEqual(['chart-violation', 'chart-success', 'chart-heatmap', 'chart-exposure']);
    const svgs = await renderCharts(charts);
    for (const [i, svg] of svgs.entries()) {
      expect(xmlProblems(svg), charts[i].id).toEqual([]);
      expect(svg, charts[i].id).toMatch(/^<svg data-chart="[\w-]+" role="img" [^>]*class="marks" width="\d+" height="\d+" viewBox="0 0 \d+ \d+">/);
      expect(svg, charts[i].id).toContain('role-mark');
      expect(svg, charts[i].id).not.toMatch(/NaN|undefined|Infinity/);
    }
  });

  it('comes out the same from the synchronous bridge as from Vega directly', async () => {
    const charts = reportCharts(fixtureReport({ conditions: 2 }));
    expect(renderChartsSync(charts)).toEqual(await renderCharts(charts));
  });

  it('is raw Vega output that is well-formed XML before the page adapts it', async () => {
    const spec = compileToVega(exposureSpec(fixtureReport().exposure)!);
    const svg = await renderVegaSvg(spec);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(xmlProblems(svg)).toEqual([]);
  });

  it('keeps data strings out of Vega expressions (only data values, scale domains and titles)', () => {
    const mark = 'ZQX"\'\n\\)';
    const hostile = hostileData(mark);
    const places = new Set<string>();
    const walk = (v: unknown, path: string) => {
      if (typeof v === 'string') {
        if (v.includes('ZQX')) places.add(path.replace(/\[\d+\]/g, '[]'));
      } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    for (const chart of reportCharts(hostile)) walk(compileToVega(chart.spec), chart.id);
    expect([...places].filter((p) => !/\.data\[\]\.values\[\]\.\w+$|\.scales\[\]\.domain\[\]$|\.axes\[\]\.title$/.test(p))).toEqual([]);
    expect(places.size).toBeGreaterThan(0);
  });

  it('gets page-unique ids and keeps its references to them', () => {
    const svg = '<svg><defs><clipPath id="clip7"><rect/></clipPath></defs><g clip-path="url(#clip7)"/><g fill="url(#other)"/></svg>';
    expect(scopeSvgIds(svg, 'chart-a')).toBe('<svg><defs><clipPath id="chart-a-1"><rect/></clipPath></defs><g clip-path="url(#chart-a-1)"/><g fill="url(#other)"/></svg>');
  });
});

describe('the Vega loader', () => {
  let server: Server;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((_, res) => {
      requests++;
      res.end('[{"a":1}]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses a data url instead of fetching it', async () => {
    const { port } = server.address() as AddressInfo;
    const spec = compileToVega({ data: { url: `http://127.0.0.1:${port}/data.json` }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } });
    await expect(renderVegaSvg(spec)).rejects.toThrow(/report charts are offline: Vega tried to/);
    expect(requests).toBe(0);
  });
});

describe('helpers', () => {
  it('makes series labels unique in order', () => {
    expect(uniqueLabels(['a', 'b', 'a', 'a'])).toEqual(['a', 'b', 'a (2)', 'a (3)']);
    // A generated name never collides with a label that is in the data.
    expect(uniqueLabels(['a', 'a', 'a (2)'])).toEqual(['a', 'a (2)′', 'a (2)']);
  });

  it('formats shares as percentages and missing values as a dash', () => {
    expect([pct(0.4333), pct(1), pct(0), pct(null), pct(NaN)]).toEqual(['43.3%', '100.0%', '0.0%', '–', '–']);
  });

  it('classifies choices by the violation index, anything else as invalid', () => {
    expect([0, 1, -1, 2].map((c) => nodeState(c, 1))).toEqual(['compliance', 'violation', 'invalid', 'invalid']);
    expect(nodeState(0, 0)).toBe('violation');
    expect(countStates([1, 0, -1], 4, 1)).toEqual({ violation: 1, compliance: 1, invalid: 2 });
  });
});

describe('layoutNetwork', () => {
  const edges: Array<[number, number]> = Array.from({ length: 40 }, (_, i) => [i, (i + 1) % 40]);

  it('is deterministic for a seed and changes with it', () => {
    const a = layoutNetwork(40, edges, { seed: 1 });
    expect(layoutNetwork(40, edges, { seed: 1 })).toEqual(a);
    expect(layoutNetwork(40, edges, { seed: 2 })).not.toEqual(a);
  });

  it('fills the unit square and keeps neighbours closer than strangers', () => {
    const p = layoutNetwork(40, edges, { seed: 3 });
    expect(Math.min(...p)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...p)).toBeLessThanOrEqual(1);
    const dist = (a: number, b: number) => Math.hypot(p[2 * a] - p[2 * b], p[2 * a + 1] - p[2 * b + 1]);
    const neighbour = edges.reduce((s, [a, b]) => s + dist(a, b), 0) / edges.length;
    const opposite = Array.from({ length: 20 }, (_, i) => dist(i, i + 20)).reduce((s, d) => s + d, 0) / 20;
    expect(neighbour * 3).toBeLessThan(opposite);
  });

  it('handles empty, single-node and out-of-range input', () => {
    expect(layoutNetwork(0, [])).toHaveLength(0);
    expect([...layoutNetwork(1, [[0, 5]])]).toEqual([0.5, 0.5]);
    const p = layoutNetwork(3, [[0, 9], [1, 1], [0, 2]]);
    expect(p.every(Number.isFinite)).toBe(true);
  });
});
