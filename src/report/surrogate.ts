/**
 * The report's surrogate section: when `atp-sim fit` wrote `surrogate.json` (with its curve
 * check) in the reported folder, the LLM runs' share violating per round beside the surrogate's
 * on the same scenarios and graphs. Read as plain JSON: the report does not depend on the fit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { html, type Markup } from './escape.ts';
import type { Interval, SurrogateView } from './types.ts';

/** The curve check of `<dir>/surrogate.json`, or undefined when there is none (or it is not readable). */
export function readSurrogateView(dir: string): SurrogateView | undefined {
  const file = join(dir, 'surrogate.json');
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as { format?: string; features?: string[]; check?: { conditions?: SurrogateView['conditions'] } };
    if (s.format !== 'atp-sim-surrogate' || !Array.isArray(s.check?.conditions)) return undefined;
    return { file: 'surrogate.json', features: s.features ?? [], conditions: s.check.conditions };
  } catch {
    return undefined;
  }
}

const p = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`;
const iv = (i: Interval) => `${p(i.mean)} [${p(i.lo)}, ${p(i.hi)}]`;

/** One table per condition: round, LLM mean [95% CI], surrogate mean, inside. */
export function surrogateBody(view: SurrogateView): Markup {
  const tables = view.conditions.map((c) => {
    const rows = c.rounds.map((r) => html`<tr><th scope="row">${String(r.round)}</th><td class="num">${iv(r.llm)}</td><td class="num">${p(r.surrogate)}</td><td>${r.inside === null ? '-' : r.inside ? 'yes' : 'no'}</td></tr>`);
    return html`<h3>${c.condition}</h3><p class="note">${String(c.llmRuns)} LLM run(s); ${String(c.surrogateRuns)} surrogate run(s) in their place.</p>
<div class="scroll"><table><thead><tr><th>round</th><th>LLM: share violating [95% CI]</th><th>surrogate</th><th>inside</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  });
  return html`<p class="note">From ${view.file} (atp-sim fit; features: ${view.features.join(', ')}): the fitted policy run in place of the LLM agents on the same scenarios and graphs with other seeds, against the LLM runs' mean and 95% interval per round.</p>${tables}`;
}

/** The terminal version: the same numbers, one table per condition. */
export function surrogateLines(view: SurrogateView, table: (h: string[], rows: string[][]) => string): string[] {
  return view.conditions.flatMap((c) => [
    `Surrogate (${view.file}), ${c.condition}: ${c.llmRuns} LLM run(s) beside ${c.surrogateRuns} surrogate run(s)`,
    table(['round', 'LLM [95% CI]', 'surrogate', 'inside'], c.rounds.map((r) => [String(r.round), iv(r.llm), p(r.surrogate), r.inside === null ? '-' : r.inside ? 'yes' : 'NO'])),
  ]);
}
