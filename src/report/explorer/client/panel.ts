/**
 * The agent panel: what a click on an agent shows. Its role, policy, degree and neighbours
 * (each a button to move to it), its choice and capital at the current round and, for an LLM
 * agent, every round's exact messages and reply, with the reasoning folded. All text goes in
 * through textContent (dom.ts): replies are shown, never interpreted.
 */
import type { ExplorerData, ExplorerRun, ExplorerTurn } from '../types.ts';
import { choiceColour } from './colours.ts';
import { clear, el } from './dom.ts';

const MAX_NEIGHBOURS = 200;

export interface PanelContext {
  readonly data: ExplorerData;
  readonly run: ExplorerRun;
  readonly round: number;
  readonly neighbours: readonly number[];
  readonly select: (i: number) => void;
}

export function agentName(run: ExplorerRun, i: number): string {
  return run.labels ? run.labels[i] : String(run.agents[i]);
}

function choiceText(run: ExplorerRun, code: number | undefined): string {
  if (code === undefined || code === -2) return 'not recorded';
  if (code === -1) return 'invalid reply';
  return run.optionNames[code] ?? `option ${code}`;
}

export function renderPanel(root: HTMLElement, i: number | null, ctx: PanelContext): void {
  clear(root);
  if (i === null) {
    root.appendChild(el('p', { class: 'hint' }, 'Click an agent to see its role, policy, neighbours and, for an LLM agent, what it was told and answered each round. Hover a violating agent to see the neighbours it could have copied from.'));
    return;
  }
  const { run, round } = ctx;
  const r = round - 1;
  const code = run.choices[r]?.[i];
  const capital = run.capital[r]?.[i];
  root.appendChild(el('h2', { id: 'agent-title' }, `Agent ${agentName(run, i)}`));
  const facts: Array<[string, string]> = [
    ['role', run.roleNames[run.roles[i]]],
    ['policy', run.policyNames[run.policies[i]]],
    ['degree', String(run.degree[i])],
    [`choice in round ${round}`, choiceText(run, code)],
    [`capital after round ${round}`, capital === null || capital === undefined ? '-' : String(capital)],
  ];
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of facts) dl.append(el('dt', {}, k), el('dd', { 'data-fact': k.split(' ')[0] }, v));
  root.appendChild(dl);
  root.appendChild(neighbourList(ctx));
  const turns = run.turns[String(i)];
  if (!turns || turns.length === 0) {
    root.appendChild(el('p', { class: 'hint' }, `No model messages: this agent's policy is ${run.policyNames[run.policies[i]]} (or its decisions were not recorded).`));
    return;
  }
  root.appendChild(el('h3', {}, 'Messages and replies, by round'));
  for (const t of turns) root.appendChild(turnView(ctx.data, t, t.round === round));
}

function neighbourList(ctx: PanelContext): HTMLElement {
  const { run, round, neighbours } = ctx;
  const shown = neighbours.slice(0, MAX_NEIGHBOURS);
  const sampled = run.sampleNote ? ' among the drawn agents' : '';
  const box = el('div', { class: 'neighbours' }, el('h3', {}, `Neighbours (${neighbours.length}${sampled}), with their choice in round ${round}`));
  const list = el('div', { class: 'chips' });
  for (const j of shown) {
    const code = run.choices[round - 1]?.[j] ?? -2;
    const b = el('button', { type: 'button', class: 'chip', 'data-agent': String(run.agents[j]) }, el('span', { class: 'dot', style: `background:${choiceColour(code, run.violationIndex)}` }), `${agentName(run, j)}: ${choiceText(run, code)}`);
    b.addEventListener('click', () => ctx.select(j));
    list.appendChild(b);
  }
  box.appendChild(list);
  if (neighbours.length > shown.length) box.appendChild(el('p', { class: 'hint' }, `... and ${neighbours.length - shown.length} more`));
  return box;
}

/** Payoffs and capitals as a reader wants them: 4 significant digits (-0.2, not -0.19999999999999996). */
const num = (v: number) => String(Number(v.toPrecision(4)));

function turnView(data: ExplorerData, t: ExplorerTurn, open: boolean): HTMLElement {
  const text = (k: number) => (k >= 0 ? data.texts[k] : '');
  const verdict = t.valid ? `chose ${t.choice}` : 'invalid reply';
  const details = el('details', { class: 'turn', 'data-round': String(t.round), ...(open ? { open: '' } : {}) }, el('summary', {}, `Round ${t.round}: ${verdict}, paid ${num(t.payoff)}`));
  for (const [role, k] of t.messages) details.appendChild(el('div', { class: `message ${role === 'system' ? 'system' : role === 'assistant' ? 'assistant' : 'user'}` }, el('div', { class: 'role' }, role), el('pre', {}, text(k))));
  details.appendChild(el('div', { class: 'message reply' }, el('div', { class: 'role' }, 'reply'), el('pre', { class: 'reply-text' }, text(t.reply))));
  if (t.reasoning >= 0) details.appendChild(el('details', { class: 'reasoning' }, el('summary', {}, 'reasoning'), el('pre', {}, text(t.reasoning))));
  if (t.error) details.appendChild(el('p', { class: 'error' }, `error: ${t.error}`));
  return details;
}
