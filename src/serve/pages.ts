/**
 * The live view's own pages: the index of runs and sweeps, and a run's live page (status,
 * progress, spend, failures, the per-round table). Built with the report's `html` tag, which
 * escapes every value from the files (names, ids, errors, model ids); the only script is
 * /assets/live.js (assets.ts), which writes text only (textContent, never innerHTML).
 */
import { html, trusted, type Markup } from '../report/escape.ts';
import type { Catalog, RunEntry } from './catalog.ts';
import type { RoundRow, RunState } from './live.ts';

const CSS = `
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1f24}
main{max-width:1100px;margin:0 auto;padding:20px}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid #d9dde3}
.muted,.note{color:#5b6470}
table{border-collapse:collapse;font-size:13px}
th,td{text-align:left;padding:3px 12px 3px 0;border-bottom:1px solid #d9dde3}
td.num{font-variant-numeric:tabular-nums;text-align:right}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f5f7f9;padding:0 3px}
a{color:#1f77b4}
progress{width:320px;vertical-align:middle}
.status-running{color:#b35900}.status-complete{color:#2b7a2b}.status-incomplete,.status-stopped{color:#b00020}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:8px 0}
dl.facts dt{color:#5b6470}dl.facts dd{margin:0}
`.trim();

/** Our pages may run our own script and call our own events endpoint, nothing else. */
export const PAGE_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function page(title: string, body: Markup, script = false): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${trusted(CSS)}</style>${script ? trusted('<script src="/assets/live.js" defer></script>') : ''}</head>
<body><main>${body}</main></body></html>
`.markup;
}

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`);
const fixed = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));
export const usd = (x: number | null) => (x === null ? 'no prices set' : `$${x.toFixed(4)}`);

function progressText(s: RunState): string {
  return `${s.rounds.length} of ${s.roundsPlanned} rounds`;
}

function runRow(r: RunEntry): Markup {
  const s = r.state;
  if (!s) return html`<tr><td><code>${decodeURIComponent(r.path) || '.'}</code></td><td colspan="5" class="muted">manifest.json unreadable</td></tr>`;
  return html`<tr><td><a href="/run/${r.path}"><code>${decodeURIComponent(r.path) || '.'}</code></a></td><td class="status-${s.status}">${s.status}</td><td class="num">${progressText(s)}</td><td class="num">${pct(s.rounds.at(-1)?.violationRate ?? null)}</td><td>${s.model ?? 'no model (rule-based agents)'}</td><td><a href="/report/${r.path}">report</a> · <a href="/explore/${r.path}">explore</a></td></tr>`;
}

export function indexPage(folder: string, catalog: Catalog): string {
  const sweeps = catalog.sweeps.map(
    (s) => html`<tr><td><a href="/report/${s.path}"><code>${decodeURIComponent(s.path) || '.'}</code></a></td><td>${s.name}</td><td class="num">${s.cells}</td><td>${Object.entries(s.byStatus).map(([k, v], i) => html`${i ? ', ' : ''}${v} ${k}`)}</td></tr>`,
  );
  const runs = catalog.runs.map(runRow);
  const body = html`<h1>Runs in <code>${folder}</code></h1>
<p class="note">${catalog.runs.length} run(s), ${catalog.sweeps.length} sweep(s). Open a run to follow it live; reload this page to see runs started since.</p>
${catalog.sweeps.length ? html`<h2>Sweeps</h2><table><thead><tr><th>folder (report)</th><th>name</th><th>cells</th><th>cells by status</th></tr></thead><tbody>${sweeps}</tbody></table>` : ''}
<h2>Runs</h2>${catalog.runs.length ? html`<table id="runs"><thead><tr><th>run (live view)</th><th>status</th><th>progress</th><th>violation rate (last round)</th><th>model</th><th>pages</th></tr></thead><tbody>${runs}</tbody></table>` : html`<p class="muted">No run directory (a folder with manifest.json) here yet.</p>`}`;
  return page(`atp-sim: ${folder}`, body);
}

/** The cells of one round row, in the order of the table's columns (assets.ts fills the same). */
export function roundCells(r: RoundRow): string[] {
  return [String(r.round), pct(r.violationRate), `${r.violations}/${r.decisions}`, String(r.invalid), pct(r.success), fixed(r.meanCapital), fixed(r.gini), String(r.failed), String(r.tokensIn + r.tokensOut)];
}

const ROUND_HEADERS = ['round', 'violation rate', 'violations', 'invalid', 'group success', 'mean capital', 'Gini of capital', 'failed calls', 'tokens'];

export function runPage(path: string, s: RunState): string {
  const rows = s.rounds.map((r) => html`<tr>${roundCells(r).map((c) => html`<td class="num">${c}</td>`)}</tr>`);
  const name = decodeURIComponent(path) || '.';
  const body = html`<p><a href="/">all runs</a></p>
<h1>Run <code>${s.id}</code> <span class="muted">(${s.name})</span></h1>
<p><a href="/report/${path}">report</a> · <a href="/explore/${path}">explorer</a> · files: <a href="/files/${path}/rounds.jsonl">rounds.jsonl</a>, <a href="/files/${path}/manifest.json">manifest.json</a></p>
<section id="live" data-events="/events/${path}">
<dl class="facts">
<dt>status</dt><dd id="status" class="status-${s.status}">${s.status}</dd>
<dt>progress</dt><dd><progress id="progress" max="${s.roundsPlanned}" value="${s.rounds.length}"></progress> <span id="progress-text">${progressText(s)}</span></dd>
<dt>spend</dt><dd id="spend">${usd(s.spentUsd)}</dd>
<dt>failed model calls</dt><dd id="failures">${s.failures}</dd>
<dt>invalid replies</dt><dd id="invalid">${s.invalid}</dd>
<dt>model</dt><dd id="model">${s.model ?? 'none (rule-based agents)'}</dd>
<dt>error</dt><dd id="error">${s.error ?? '–'}</dd>
<dt>live</dt><dd id="connection" class="muted">not connected (the table shows the rounds at load time)</dd>
</dl>
<h2>Rounds</h2>
<table id="rounds"><thead><tr>${ROUND_HEADERS.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>
<p class="note">Folder: <code>${name}</code>. New rounds appear as the run writes them to rounds.jsonl.</p>
</section>`;
  return page(`Run ${s.id} (live)`, body, true);
}

export function messagePage(title: string, message: string): string {
  return page(title, html`<p><a href="/">all runs</a></p><h1>${title}</h1><p>${message}</p>`);
}
