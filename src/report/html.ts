/**
 * The report page: one self-contained, offline HTML file (inline CSS and SVG, no script, no URL
 * of any kind) rendered from ReportData.
 *
 * Safe by default: all markup is built with the `html` tag (escape.ts), which escapes every
 * interpolated value; the only trusted fragments are the SVG that Vega renders (charts.ts, Vega
 * escapes its text) and our network drawing (network-svg.ts, escaped with the same function).
 * A Content-Security-Policy meta tag forbids scripts and every fetch as a second line of defence.
 * Deterministic: the same data gives the same bytes (no clock, no randomness outside seeded
 * layout).
 */
import { reportCharts, renderCharts, renderChartsSync, type ChartSpec } from './charts.ts';
import { html, trusted, type Markup } from './escape.ts';
import { countStates, networkPositions, networkSnapshotSvg, optionNames, STATE_CLASS } from './network-svg.ts';
import type { Interval, NetworkView, ReportCondition, ReportData, RunDetail } from './types.ts';
import { constantParams, paramLabels, shortLabels } from './labels.ts';
import { differenceText } from '../metrics/difference.ts';
import { parsingTotals } from './parsing.ts';
import { surrogateBody } from './surrogate.ts';

/** Renders the report page (charts drawn by Vega in a worker thread; blocks until done). */
export function renderReport(data: ReportData): string {
  const charts = reportCharts(data);
  return assemble(data, charts, renderChartsSync(charts));
}

/** The same page as `renderReport`, byte for byte, without blocking the thread. */
export async function renderReportAsync(data: ReportData): Promise<string> {
  const charts = reportCharts(data);
  return assemble(data, charts, await renderCharts(charts));
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const DASH = '–';

/** A share as a percentage with one decimal (`43.3%`); missing or non-finite values give a dash. */
export function pct(x: number | null | undefined): string {
  return finite(x) ? `${(Math.round(x * 1000) / 10).toFixed(1)}%` : DASH;
}

function interval(iv: Interval | undefined): Markup {
  if (!iv || !finite(iv.mean)) return html`${DASH}`;
  return html`${pct(iv.mean)} <span class="ci">[${pct(iv.lo)}, ${pct(iv.hi)}]</span>`;
}

function num(x: number | null | undefined): string {
  return finite(x) ? String(x) : DASH;
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

interface Section {
  readonly id: string;
  readonly title: string;
  readonly body: Markup;
}

function conditionsSection(conditions: readonly ReportCondition[]): Section | undefined {
  if (conditions.length === 0) return undefined;
  const labels = shortLabels(conditions);
  const rows = conditions.map(
    (c, i) => html`<tr><th scope="row">${labels[i]}</th><td class="num">${num(c.replicates)}</td><td class="num">${interval(c.finalRate)}</td><td class="num">${interval(c.tippedShare)}</td><td class="num">${num(c.halfRoundMedian)}</td></tr>`,
  );
  const same = constantParams(conditions);
  const fixed = same.length ? html` Same in every condition: ${same.map(([k, v], i) => html`${i > 0 ? ', ' : ''}<code>${k}=${v}</code>`)}.` : '';
  return {
    id: 'conditions',
    title: 'Conditions',
    body: html`<p class="note">Means over replicates with 95% intervals. Tipped: share of replicates whose violation rate passed one half; half round: median round at which it did. Conditions are named by the parameters that differ between them.${fixed}</p>
<div class="scroll"><table><thead><tr><th>condition</th><th>replicates</th><th>final violation rate</th><th>tipped share</th><th>median half round</th></tr></thead><tbody>${rows}</tbody></table></div>`,
  };
}

/** Each condition against the control, with Welch intervals (sweeps only). */
function differencesSection(d: ReportData['differences'], conditions: readonly ReportCondition[]): Section | undefined {
  if (!d || d.rows.length === 0) return undefined;
  const labels = shortLabels(conditions);
  const short = (label: string) => labels[conditions.findIndex((c) => c.label === label)] ?? label;
  const cell = (iv: Interval, unit: 'pp' | 'rounds') => {
    const t = differenceText(iv, unit);
    return t.range ? html`${t.value} <span class="ci">${t.range}</span>` : html`${t.value}`;
  };
  const rows = d.rows.map(
    (r) => html`<tr><th scope="row">${short(r.label)}</th><td class="num">${cell(r.finalRate, 'pp')}</td><td class="num">${cell(r.halfRound, 'rounds')}</td><td class="num">${num(r.reached.control)}, ${num(r.reached.condition)}</td></tr>`,
  );
  return {
    id: 'differences',
    title: `Against ${short(d.control)}`,
    body: html`<p class="note">Difference of means from the first condition, with Welch 95% intervals. Time to tipping: the round the violation rate first reached one half, over the runs that reached it (counted in the last column: control, this condition).</p>
<div class="scroll"><table><thead><tr><th>condition</th><th>final violation rate</th><th>round reaching one half</th><th>reached one half</th></tr></thead><tbody>${rows}</tbody></table></div>`,
  };
}

type Rendered = ReadonlyMap<string, { readonly svg: string; readonly caption?: string }>;

function figure(id: string, svgs: Rendered, caption: string): Markup | undefined {
  const chart = svgs.get(id);
  if (chart === undefined) return undefined;
  return html`<figure id="${id}" class="chart">${trusted(chart.svg)}<figcaption>${caption}</figcaption></figure>`;
}

/** The chart `id`, or its small multiples (`id-p1`, `id-p2`, ...) each titled, under one caption. */
function figureOrPanels(id: string, svgs: Rendered, caption: string, panelsCaption: string): Markup | undefined {
  const single = figure(id, svgs, caption);
  if (single) return single;
  const panels = [...svgs.entries()].filter(([k]) => k.startsWith(`${id}-p`));
  if (panels.length === 0) return undefined;
  const items = panels.map(([k, c]) => html`<figure id="${k}" class="panel"><figcaption class="panel-title">${c.caption ?? ''}</figcaption>${trusted(c.svg)}</figure>`);
  return html`<figure id="${id}" class="chart panels"><div class="panel-grid">${items}</div><figcaption>${panelsCaption}</figcaption></figure>`;
}

function diffusionSection(data: ReportData, svgs: Rendered): Section | undefined {
  const run = data.kind === 'run';
  const over = run
    ? "the share of the run's agents violating in each round (band: 95% Wilson interval over that round's decisions)"
    : "the mean over each condition's replicates (band: 95% interval)";
  const panels = 'one panel per condition, its own curve in red over the other conditions in grey, all on the same axes';
  const figures = [
    figureOrPanels('chart-violation', svgs, `Violation rate per round: ${over}; one line per condition.`, `Violation rate per round: ${over}; ${panels}.`),
    figureOrPanels('chart-success', svgs, `Group success rate per round: ${run ? 'the share of agents whose game succeeded' : "the mean over each condition's replicates"} (band: 95% interval).`, `Group success rate per round (mean over replicates); ${panels}.`),
  ].filter((f): f is Markup => f !== undefined);
  if (figures.length === 0) return undefined;
  return { id: 'diffusion', title: 'Diffusion', body: html`${figures}` };
}

function heatmapSection(data: ReportData, svgs: Rendered): Section | undefined {
  const h = data.heatmap;
  if (!h) return undefined;
  const pooled = h.pooledOver?.length ? ` Each cell also averages over every value of ${h.pooledOver.join(', ')} (not shown separately).` : '';
  // n counts a cell's runs: with axes pooled over, replicates times their values.
  const n = h.pooledOver?.length ? `the mean over the runs of each cell (n: runs averaged, every replicate of every value of ${h.pooledOver.join(', ')})` : 'the mean over the replicates of each cell (n: replicates averaged)';
  const base = `Final violation rate by ${h.xLabel} and ${h.yLabel}: ${n}.${pooled}`;
  const f = figureOrPanels('chart-heatmap', svgs, base, `${base} One map per value of ${h.panelLabel ?? ''}.`);
  return f && { id: 'heatmap', title: h.pooledOver?.length ? `Final violation rate (averaged over ${h.pooledOver.join(', ')})` : 'Final violation rate', body: f };
}

function exposureSection(svgs: Rendered): Section | undefined {
  const what = 'Exposure response: the probability that a complying agent violates next round given k violating neighbours this round, pooled over every run of a condition and every round (whiskers: 95% interval';
  const f = figureOrPanels('chart-exposure', svgs, `${what}; curves nudged sideways so whiskers stay visible).`, `${what}); one panel per condition, all on the same axes.`);
  return f && { id: 'exposure', title: 'Exposure response', body: f };
}

function networkSection(view: NetworkView | undefined): Section | undefined {
  if (!view || !(view.nodes > 0) || view.snapshots.length === 0) return undefined;
  const positions = networkPositions(view);
  const [a, b] = optionNames(view);
  const violating = view.violationIndex === 1 ? b : a;
  const complying = view.violationIndex === 1 ? a : b;
  const swatch = (cls: string) => trusted(`<svg class="swatch" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><circle class="${cls}" cx="6" cy="6" r="5"/></svg>`);
  const legend = html`<ul class="legend">
<li>${swatch(STATE_CLASS.violation)} violation: <code>${violating}</code></li>
<li>${swatch(STATE_CLASS.compliance)} compliance: <code>${complying}</code></li>
<li>${swatch(STATE_CLASS.invalid)} invalid / no choice</li></ul>`;
  const figures = view.snapshots.map((s, i) => {
    const c = countStates(s.choices, view.nodes, view.violationIndex);
    return html`<figure class="network-snapshot">${networkSnapshotSvg(view, i, positions)}<figcaption>Round ${s.round}: ${c.violation} violating (${pct(c.violation / view.nodes)}), ${c.compliance} complying, ${c.invalid} invalid.</figcaption></figure>`;
  });
  const r = view.run;
  const which = r ? html`Run <code>${r.id}</code> (${r.condition}, seed ${r.seed})${r.of > 1 ? html`, one of the report's ${r.of} runs` : ''}: ` : '';
  return {
    id: 'network',
    title: r && r.of > 1 ? `Network of run ${r.id}` : 'Network',
    body: html`<p class="note">${which}${view.nodes} agents, ${view.edges.length} edges; the same positions in every round (a stress layout from graph distances, refined by forces, seeded).</p>${legend}<div class="snapshots">${figures}</div>`,
  };
}

function runsSection(runs: ReportData['runs']): Section | undefined {
  if (runs.length === 0) return undefined;
  const conditions = paramLabels(runs.map((r) => ({ label: '–', params: r.params })));
  const rows = runs.map(
    (r, i) => html`<tr><th scope="row"><code>${r.id}</code></th><td>${conditions[i]}</td><td class="num">${num(r.seed)}</td><td class="num">${pct(r.finalRate)}</td><td>${r.tipped === null ? 'not known (stopped early)' : r.tipped ? 'yes' : 'no'}</td><td class="num">${num(r.halfRound)}</td><td class="num">${num(r.firstViolationRound)}</td><td class="num">${num(r.invalid)}</td><td>${parsingCell(r.replyParsing)}</td></tr>`,
  );
  return {
    id: 'runs',
    title: 'Runs',
    body: html`<div class="scroll"><table><thead><tr><th>run</th><th>condition</th><th>seed</th><th>final violation rate</th><th>tipped</th><th>half round</th><th>first violation</th><th>invalid replies</th><th>reply parsing (replies the other parsing reads differently)</th></tr></thead><tbody>${rows}</tbody></table></div>${parsingNote(runs)}`,
  };
}

function parsingCell(p: ReportData['runs'][number]['replyParsing']): string {
  return p == null ? DASH : `${p.mode} (${num(p.disagreements)})`;
}

/** Says, under the runs table, whether the choice of reply parser changed any reading. */
function parsingNote(runs: ReportData['runs']): Markup {
  const t = parsingTotals(runs);
  if (!t) return html``;
  return html`<p class="note">Reply parsing (<code>prompt.parse</code>): ${t.modes.join(' and ')}. <code>atp</code> takes the first choice anywhere in a reply, reasoning included (ATP's parser); <code>final</code> removes <code>&lt;think&gt;</code> reasoning and takes the last choice. The other parsing would have read another choice on ${num(t.disagreements)} replies in ${num(t.affected)} of ${num(t.counted)} runs.</p>`;
}

const fixed3 = (x: number | null) => (finite(x) ? x.toFixed(3) : DASH);

/** A single run: each round's record, the charts over rounds, and the model's use and cost. */
function roundsSection(detail: RunDetail | undefined, svgs: Rendered): Section | undefined {
  if (!detail || detail.rounds.length === 0) return undefined;
  const llm = detail.model !== null;
  const rows = detail.rounds.map(
    (r) => html`<tr><td class="num">${r.round}</td><td class="num">${pct(r.violationRate)}</td><td class="num">${r.violations}/${r.decisions}</td>${llm ? html`<td class="num">${r.invalid}</td>` : ''}<td class="num">${pct(r.success)}</td><td class="num">${fixed3(r.meanCapital)}</td><td class="num">${fixed3(r.gini)}</td>${llm ? html`<td class="num">${r.calls}</td><td class="num">${r.failed}</td><td class="num">${r.tokensIn + r.tokensOut}</td>` : ''}</tr>`,
  );
  const head = ['round', 'violation rate', 'violations', ...(llm ? ['invalid replies'] : []), 'group success', 'mean capital', 'Gini of capital', ...(llm ? ['model calls', 'failed calls', 'tokens'] : [])];
  const charts = [
    figure('chart-capital', svgs, "Mean capital of the run's agents after each round."),
    figure('chart-gini', svgs, 'Inequality of capital after each round (Gini coefficient: 0 equal, 1 one agent holds all).'),
    figure('chart-invalid', svgs, 'Invalid replies per round (no choice could be read; they count as decisions in the violation rate).'),
  ].filter((f): f is Markup => f !== undefined);
  return {
    id: 'rounds',
    title: 'Rounds',
    body: html`<p class="note">Violation rate: violating decisions over all decisions of the round, invalid replies included.</p>
<div class="scroll"><table><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>${charts.length ? html`<div class="small-charts">${charts}</div>` : ''}`,
  };
}

function modelSection(detail: RunDetail | undefined): Section | undefined {
  if (!detail || detail.model === null) return undefined;
  const cost = detail.costUsd === null ? 'not known (the scenario sets no prices: model.pricePerMillion, or --price-in and --price-out)' : `$${detail.costUsd.toFixed(4)}`;
  return {
    id: 'model',
    title: 'Model, tokens and cost',
    body: html`<dl class="facts"><dt>model</dt><dd><code>${detail.model}</code>${detail.backend ? html` (${detail.backend})` : ''}</dd>
<dt>model calls</dt><dd>${detail.calls} (${detail.failed} failed after retries)</dd>
<dt>tokens</dt><dd>${detail.tokensIn} in, ${detail.tokensOut} out</dd>
<dt>cost</dt><dd>${cost}</dd></dl>`,
  };
}

const PREVIEW = 90;

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > PREVIEW ? `${flat.slice(0, PREVIEW - 1)}…` : flat;
}

function transcriptsSection(transcripts: ReportData['transcripts']): Section | undefined {
  if (transcripts.length === 0) return undefined;
  const items = transcripts.map((t) => {
    const lastUser = t.messages.map((m) => m.role).lastIndexOf('user');
    const messages = t.messages.map(
      (m, i) => html`<details class="msg role-${m.role}"${i === lastUser ? trusted(' open') : ''}><summary><span class="role">${m.role}</span> <span class="preview">${preview(m.content)}</span></summary><pre>${m.content}</pre></details>`,
    );
    return html`<article class="transcript">
<h3>Run <code>${t.run}</code>, round ${num(t.round)}, agent ${num(t.agent)} → <span class="choice">${t.choice ?? 'invalid'}</span></h3>
${t.note ? html`<p class="note">${t.note}</p>` : ''}<div class="messages">${messages}</div>
<div class="reply"><div class="role">reply</div><pre>${t.reply}</pre></div>
</article>`;
  });
  return {
    id: 'transcripts',
    title: 'First violations',
    body: html`<p class="note">The exact prompt (click a message to expand it) and reply of each agent's first violation.</p>${items}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Page
// ---------------------------------------------------------------------------------------------

const CSS = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#5b6470;--line:#d9dde3;--bg:#fff;--soft:#f5f7f9;--viol:#d62728;--comp:#1f77b4}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:32px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:0 0 6px}
.subtitle{margin:0 0 4px;color:var(--muted);font-size:15px}
.meta,.note,.muted,figcaption,.ci{color:var(--muted)}
.note{margin:4px 0 10px}
nav ul{list-style:none;padding:0;margin:12px 0 0;display:flex;flex-wrap:wrap;gap:6px 14px}
nav a{color:var(--comp);text-decoration:none}
figure{margin:12px 0 18px}
figcaption{font-size:13px;margin-top:4px}
figure.chart svg{max-width:100%;height:auto}
.panel-grid,.small-charts{display:flex;flex-wrap:wrap;gap:8px 14px}
figure.panel{margin:0;width:340px}
.panel-title{font-weight:600;color:var(--fg);margin:0 0 2px}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:13px;min-width:60%}
th,td{text-align:left;padding:4px 10px 4px 0;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-weight:600;white-space:nowrap}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:0 3px;border-radius:3px;overflow-wrap:anywhere}
.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:4px 18px}
.legend li{display:flex;align-items:center;gap:6px}
.snapshots{display:flex;flex-wrap:wrap;gap:12px}
.network-snapshot{margin:0;flex:1 1 360px;max-width:440px}
svg.network{width:100%;height:auto;background:var(--soft);border:1px solid var(--line);border-radius:4px}
svg.network .edges{stroke:#9aa3ad;stroke-opacity:.6;fill:none}
.nv{fill:var(--viol);stroke:#fff;stroke-width:.5}
.nc{fill:var(--comp);stroke:#fff;stroke-width:.5}
.ni{fill:#fff;stroke:#6b7280;stroke-width:1.2}
.transcript{border:1px solid var(--line);border-radius:6px;padding:10px 12px;margin:12px 0}
.transcript .choice{color:var(--viol)}
.msg{border-left:3px solid var(--line);margin:4px 0;padding:2px 8px}
.msg summary{cursor:pointer;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.msg[open] .preview{display:none}
.role{font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted)}
.role-system{border-left-color:#a0a7b0}.role-user{border-left-color:var(--comp)}.role-assistant{border-left-color:#2ca02c}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:4px 0;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.reply{border-left:3px solid var(--viol);background:#fdf3f3;padding:4px 8px;margin-top:8px}
footer{margin-top:40px;color:var(--muted);font-size:12px}
@media print{nav{display:none}.msg{break-inside:avoid}}
`.trim();

/** No script may run and nothing may be fetched: styles inline, images only as data: URIs. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function assemble(data: ReportData, charts: readonly ChartSpec[], svgs: readonly string[]): string {
  const byId: Rendered = new Map(charts.map((c, i) => [c.id, { svg: svgs[i], ...(c.caption !== undefined ? { caption: c.caption } : {}) }]));
  const conditions = data.conditions ?? [];
  const runs = data.runs ?? [];
  const sections = [
    conditionsSection(conditions),
    differencesSection(data.differences, conditions),
    modelSection(data.runDetail),
    diffusionSection(data, byId),
    roundsSection(data.runDetail, byId),
    heatmapSection(data, byId),
    exposureSection(byId),
    networkSection(data.network),
    data.surrogate && { id: 'surrogate', title: 'Surrogate against the LLM runs', body: surrogateBody(data.surrogate) },
    runsSection(runs),
    transcriptsSection(data.transcripts ?? []),
  ].filter((s): s is Section => s !== undefined);
  const kind = data.kind === 'run' ? 'Run report' : 'Sweep report';
  const counts = `${conditions.length} condition${conditions.length === 1 ? '' : 's'}, ${runs.length} run${runs.length === 1 ? '' : 's'}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="atp-sim report">
<title>${data.title}</title>
<style>${trusted(CSS)}</style>
</head>
<body>
<main>
<header>
<h1>${data.title}</h1>
${data.subtitle ? html`<p class="subtitle">${data.subtitle}</p>` : ''}<p class="meta">${kind} · ${counts}</p>
<nav aria-label="Sections"><ul>${sections.map((s) => html`<li><a href="#${s.id}">${s.title}</a></li>`)}</ul></nav>
</header>
${sections.map((s) => html`<section id="${s.id}">
<h2>${s.title}</h2>
${s.body}
</section>
`)}<footer>Generated by atp-sim. Self-contained: no scripts, no external resources.</footer>
</main>
</body>
</html>
`;
  return page.markup;
}
