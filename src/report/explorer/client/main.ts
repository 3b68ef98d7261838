/**
 * The explorer page: reads the inlined data (a JSON script element), draws the chosen run's
 * network with sigma, and wires the controls: condition and replicate pickers, the round
 * slider and play button, node size, the diffusion curve and the agent panel. Everything the
 * page needs is in the file; it makes no request.
 *
 * `window.atpExplorer` exposes read-only helpers that the browser test uses to find an agent on
 * the canvas and to time frames (tests/report/explorer/browser.test.ts).
 */
import type { UndirectedGraph as Graph } from 'graphology';
import type Sigma from 'sigma';
import type { ExplorerData } from '../types.ts';
import { COMPLIANCE, INVALID, UNRECORDED, VIOLATION } from './colours.ts';
import { drawCurve } from './curve.ts';
import { byId, clear, el } from './dom.ts';
import { agentName, renderPanel } from './panel.ts';
import { edgesAt } from './graph-at.ts';
import { addLink, applySizes, buildGraph, createRenderer, EDGES_OFF_ABOVE, neighbourLists, possibleSources, showEdges, type SizeBy, type ViewState } from './view.ts';

const PLAY_MS = 450;

const data = JSON.parse(byId('explorer-data').textContent ?? '{}') as ExplorerData;
const state: ViewState = { run: data.runs[0], round: 1, sizeBy: 'degree', focus: null, selected: null, edges: true };
let graph: Graph;
let renderer: Sigma;
let timer: number | null = null;
let nodeKeys: string[] = [];
let neighbours: number[][] = [];
/** The edges of the graph of the round shown (an intervention may have changed it). */
let roundEdges: readonly number[] = [];

/**
 * Re-runs the node reducer on every node, and the edge reducer only on the edges of `around`
 * (agents whose highlight changes): edges do not depend on the round, and re-processing 20,000
 * of them on every slider step is most of a frame with software WebGL.
 */
function redraw(around: ReadonlyArray<number | null> = []): void {
  const edges = around.flatMap((i) => (i === null || !graph.hasNode(String(i)) ? [] : graph.edges(String(i))));
  renderer.refresh({ partialGraph: { nodes: nodeKeys, edges }, skipIndexation: true });
}

const slider = byId<HTMLInputElement>('round');
const play = byId<HTMLButtonElement>('play');

function lastRound(): number {
  return Math.max(1, state.run.choices.length);
}

function neighboursOf(i: number): number[] {
  return neighbours[i] ?? [];
}

function refreshSide(): void {
  const run = state.run;
  const cond = data.conditions[run.condition];
  const others = cond.runs.filter((k) => data.runs[k] !== run).map((k) => data.runs[k].series);
  const curve = byId('curve');
  clear(curve);
  curve.appendChild(drawCurve(run.series, others, state.round, lastRound()));
  byId('round-label').textContent = `round ${state.round} of ${lastRound()}`;
  renderPanel(byId('agent'), state.selected, { data, run, round: state.round, neighbours: state.selected === null ? [] : neighboursOf(state.selected), select: selectAgent });
}

/** Removes the links drawn for a hover while edges are off. */
function dropTemporaryLinks(): void {
  for (const e of graph.filterEdges((_e, attrs) => attrs.temporary === true)) graph.dropEdge(e);
}

/** Follows the graph of the round shown: neighbours, and the edges drawn. */
function useRoundGraph(): void {
  const edges = edgesAt(state.run, state.round);
  if (edges === roundEdges) return;
  roundEdges = edges;
  neighbours = neighbourLists(state.run, edges);
  showEdges(graph, state.run, state.edges, edges);
}

function setRound(round: number): void {
  state.round = Math.min(lastRound(), Math.max(1, round));
  slider.value = String(state.round);
  const focused = state.focus?.agent ?? null;
  state.focus = null;
  dropTemporaryLinks();
  useRoundGraph();
  byId('hover-note').textContent = '';
  if (state.sizeBy === 'capital') applySizes(graph, state);
  redraw([focused]);
  refreshSide();
}

function selectAgent(i: number | null): void {
  state.selected = i;
  redraw();
  refreshSide();
}

function hover(i: number | null): void {
  const note = byId('hover-note');
  const run = state.run;
  const violated = i !== null && ((run.flags[state.round - 1]?.[i] ?? 0) & 1) === 1;
  const before = state.focus?.agent ?? null;
  dropTemporaryLinks();
  const sources = i !== null && violated ? possibleSources(neighbours[i], run, state.round) : new Set<number>();
  // Only a violation that had a possible source dims the rest of the network.
  state.focus = i !== null && sources.size > 0 ? { agent: i, sources } : null;
  if (i === null || !violated) {
    note.textContent = '';
  } else {
    // With edges off, the links to the possible sources are drawn for as long as the hover lasts.
    if (!state.edges) for (const j of sources) addLink(graph, i, j, { size: 1, color: '#222222', temporary: true });
    const names = [...sources].map((j) => agentName(run, j));
    note.textContent =
      state.round === 1
        ? `Agent ${agentName(run, i)} violated in round 1: there is no earlier round to copy from.`
        : `Agent ${agentName(run, i)} violated in round ${state.round}; neighbours it could have copied from (violated and were paid in round ${state.round - 1}): ${names.length ? names.join(', ') : 'none'}.`;
  }
  redraw([before, state.focus?.agent ?? null]);
}

function showRun(k: number): void {
  stop();
  state.run = data.runs[k];
  state.selected = null;
  state.focus = null;
  renderer?.kill();
  graph = buildGraph(state.run);
  nodeKeys = graph.nodes();
  state.edges = state.run.agents.length <= EDGES_OFF_ABOVE;
  byId<HTMLInputElement>('show-edges').checked = state.edges;
  state.round = Math.min(state.round, lastRound());
  roundEdges = [];
  useRoundGraph();
  applySizes(graph, state);
  renderer = createRenderer(graph, byId('graph'), () => state);
  renderer.on('clickNode', ({ node }) => selectAgent(Number(node)));
  renderer.on('clickStage', () => selectAgent(null));
  renderer.on('enterNode', ({ node }) => hover(Number(node)));
  renderer.on('leaveNode', () => hover(null));
  slider.max = String(lastRound());
  const run = state.run;
  const model = run.model ? `, model ${run.model}` : '';
  byId('run-label').textContent = `${run.id}: ${run.totalAgents} agents, ${run.totalEdges} edges, seed ${run.seed}${model} (layout: ${run.layout})`;
  byId('sample-note').textContent = run.sampleNote ?? '';
  setRound(state.round);
}

function stop(): void {
  if (timer !== null) window.clearTimeout(timer);
  timer = null;
  play.textContent = 'Play';
}

/**
 * Play steps one round, then waits for that frame to be drawn before scheduling the next, so a
 * large network drawn in software never queues up steps (the page stays responsive to Pause).
 */
function togglePlay(): void {
  if (timer !== null) return stop();
  if (state.round >= lastRound()) setRound(1);
  play.textContent = 'Pause';
  const step = () => {
    if (timer === null) return;
    if (state.round >= lastRound()) return stop();
    const drawn = new Promise<void>((resolve) => renderer.once('afterRender', () => resolve()));
    setRound(state.round + 1);
    if (state.round >= lastRound()) return stop();
    void drawn.then(() => {
      if (timer !== null) timer = window.setTimeout(step, PLAY_MS);
    });
  };
  timer = window.setTimeout(step, PLAY_MS);
}

function fillPickers(): void {
  const condition = byId<HTMLSelectElement>('condition');
  const replicate = byId<HTMLSelectElement>('replicate');
  for (const [k, c] of data.conditions.entries()) condition.appendChild(el('option', { value: String(k) }, c.label));
  const fillReplicates = () => {
    clear(replicate);
    for (const k of data.conditions[Number(condition.value)].runs) replicate.appendChild(el('option', { value: String(k) }, `replicate ${data.runs[k].replicate} (${data.runs[k].id})`));
  };
  fillReplicates();
  condition.addEventListener('change', () => {
    fillReplicates();
    showRun(Number(replicate.value));
  });
  replicate.addEventListener('change', () => showRun(Number(replicate.value)));
  byId('pickers').hidden = data.runs.length < 2;
}

function legend(): void {
  const run = data.runs[0];
  const other = run.optionNames.findIndex((_, k) => k !== run.violationIndex);
  const item = (colour: string, text: string) => el('span', { class: 'item' }, el('span', { class: 'dot', style: `background:${colour}` }), text);
  const box = byId('legend');
  box.append(item(VIOLATION, `violation: ${run.optionNames[run.violationIndex]}`), item(COMPLIANCE, `other choice: ${run.optionNames[other] ?? '-'}`), item(INVALID, 'invalid reply'), item(UNRECORDED, 'not recorded'));
}

function boot(): void {
  byId('notes').textContent = data.notes.join(' ');
  legend();
  fillPickers();
  slider.addEventListener('input', () => {
    stop();
    setRound(Number(slider.value));
  });
  play.addEventListener('click', togglePlay);
  byId<HTMLInputElement>('show-edges').addEventListener('change', (e) => {
    state.edges = (e.target as HTMLInputElement).checked;
    state.focus = null;
    showEdges(graph, state.run, state.edges, roundEdges);
  });
  byId<HTMLSelectElement>('size-by').addEventListener('change', (e) => {
    state.sizeBy = (e.target as HTMLSelectElement).value as SizeBy;
    applySizes(graph, state);
    renderer.refresh();
  });
  showRun(0);
  (window as unknown as { atpExplorer: unknown }).atpExplorer = testHooks();
}

/** What the browser test reads: an agent's place on the screen, its colour, frame timings. */
function testHooks() {
  const position = (agent: number) => state.run.agents.indexOf(agent);
  return {
    state: () => ({ run: state.run.id, round: state.round, selected: state.selected === null ? null : state.run.agents[state.selected], focus: state.focus ? [...state.focus.sources].map((j) => state.run.agents[j]) : null }),
    nodeColor: (agent: number) => renderer.getNodeDisplayData(String(position(agent)))?.color ?? null,
    nodeSize: (agent: number) => renderer.getNodeDisplayData(String(position(agent)))?.size ?? null,
    nodeOnScreen: (agent: number) => {
      const d = renderer.getNodeDisplayData(String(position(agent)));
      if (!d) return null;
      const p = renderer.framedGraphToViewport(d);
      const box = byId('graph').getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    },
    /** Milliseconds from a round change to sigma's next finished render, `steps` times. */
    timeRoundChanges: async (steps: number) => {
      const times: number[] = [];
      for (let s = 0; s < steps; s++) {
        const t0 = performance.now();
        const done = new Promise<void>((resolve) => renderer.once('afterRender', () => resolve()));
        setRound(state.round >= lastRound() ? 1 : state.round + 1);
        await done;
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        times.push(performance.now() - t0);
      }
      return times;
    },
  };
}

boot();
