/**
 * The explorer page: one self-contained HTML file. The data goes in a JSON script element
 * (never executed; `<` written as \u003c so no text can close the element), the code in one
 * inline script allowed by its hash, and a Content-Security-Policy that forbids every fetch,
 * frame, font, image and connection: the page cannot send a request even if asked to.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../escape.ts';
import { explorerBundle } from './bundle.ts';
import type { ExplorerData } from './types.ts';

/** JSON that is inert inside a <script> element. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text that cannot end its element early (`</script` and `<!--` escaped; same meaning in JS). */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#222}
header{padding:10px 16px;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 4px}
#notes,#sample-note{color:#8a4b00;margin:2px 0}
#controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;padding:8px 16px;border-bottom:1px solid #eee}
#controls label{display:flex;gap:6px;align-items:center}
#round{width:260px}
main{display:grid;grid-template-columns:minmax(400px,1fr) 420px;gap:12px;padding:12px 16px}
#graph{height:640px;border:1px solid #ddd;position:relative}
#legend .item{margin-right:14px;white-space:nowrap}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
#hover-note{min-height:1.4em;color:#333}
#side{overflow:auto;max-height:900px}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0}
dt{color:#666}dd{margin:0}
.chips{display:flex;flex-wrap:wrap;gap:4px}
.chip{font:12px system-ui,sans-serif;border:1px solid #ccc;background:#fafafa;border-radius:10px;padding:1px 8px;cursor:pointer}
details.turn{border:1px solid #ddd;border-radius:4px;margin:6px 0;padding:4px 8px}
.message .role{font-size:11px;text-transform:uppercase;color:#666;margin-top:6px}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:6px;margin:2px 0;font-size:12px}
.reply pre{background:#fff4e5}
.hint{color:#666}
`;

/** The explorer page for `data` (a self-contained HTML document). */
export function renderExplorer(data: ExplorerData): string {
  const script = inlineScript(explorerBundle());
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'`;
  const title = escapeHtml(data.title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head><body>
<header><h1>${title}</h1><p id="notes"></p><p id="sample-note"></p><p id="run-label"></p></header>
<div id="controls">
<span id="pickers"><label>condition <select id="condition"></select></label> <label>replicate <select id="replicate"></select></label></span>
<label>round <input id="round" type="range" min="1" max="1" step="1" value="1"></label><span id="round-label"></span>
<button id="play" type="button">Play</button>
<label>node size <select id="size-by"><option value="degree">degree</option><option value="capital">capital</option></select></label>
<label><input id="show-edges" type="checkbox" checked> edges</label>
</div>
<main>
<section><div id="legend"></div><div id="graph"></div><p id="hover-note"></p></section>
<aside id="side"><h2>Diffusion</h2><p class="hint">Share of all agents violating, per round (this run in red, other replicates of its condition in grey); the dashed line marks the round shown.</p><div id="curve"></div><div id="agent"></div></aside>
</main>
<script type="application/json" id="explorer-data">${inlineJson(data)}</script>
<script>${script}</script>
</body></html>
`;
}
