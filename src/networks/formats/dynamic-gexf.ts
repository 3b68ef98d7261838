/**
 * GEXF 1.3 with per-agent attributes and each agent's choice over the rounds, for Gephi's
 * timeline: static node attributes (role, policy, committed, seeded, final choice, degree) and
 * dynamic ones (choice, violated) whose values carry `start`/`end` spells in rounds.
 *
 * Spells follow GEXF 1.3 (https://gexf.net, https://github.com/gephi/gexf): time is an integer
 * (`timeformat="integer"`), bounds are inclusive (1.3 removed `startopen`/`endopen`), so a choice
 * held from round 3 to round 5 is `start="3" end="5"` and the next value starts at 6: spells of
 * one attribute never overlap (Gephi rejects overlapping intervals). Output is a pure function of
 * its input (no dates), streamed in chunks like the static writer.
 */
import type { Csr } from '../../core/types.ts';
import { edgeLines, escapeXml } from './write.ts';

/** One stretch of rounds (inclusive) during which an agent's value did not change. */
export interface Spell {
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

export interface AgentView {
  /** committed | seeded | regular */
  readonly role: string;
  readonly policy: string;
  readonly committed: boolean;
  readonly seeded: boolean;
  /** The last recorded choice (null: the agent's decisions were not recorded). */
  readonly finalChoice: string | null;
  readonly choice: readonly Spell[];
  readonly violated: readonly Spell[];
}

export interface DynamicGexfInput {
  readonly csr: Csr;
  readonly agents: readonly AgentView[];
  /** Rounds covered (the graph's time bounds are 1..rounds). */
  readonly rounds: number;
  readonly description?: string;
}

const STATIC = [
  ['role', 'string'],
  ['policy', 'string'],
  ['committed', 'boolean'],
  ['seeded', 'boolean'],
  ['finalChoice', 'string'],
  ['degree', 'integer'],
] as const;
const DYNAMIC = [
  ['choice', 'string'],
  ['violated', 'boolean'],
] as const;

const NODES_PER_CHUNK = 1024;

function attributeBlock(mode: 'static' | 'dynamic', list: ReadonlyArray<readonly [string, string]>): string {
  const lines = list.map(([id, type]) => `      <attribute id="${id}" title="${id}" type="${type}"/>\n`).join('');
  return `    <attributes class="node" mode="${mode}">\n${lines}    </attributes>\n`;
}

function nodeXml(csr: Csr, i: number, a: AgentView): string {
  const v = (id: string, value: string | number | boolean) => `          <attvalue for="${id}" value="${escapeXml(String(value))}"/>\n`;
  const spell = (id: string, s: Spell) => `          <attvalue for="${id}" value="${escapeXml(s.value)}" start="${s.start}" end="${s.end}"/>\n`;
  const key = escapeXml(csr.keys[i]);
  return (
    `      <node id="${key}" label="${key}">\n        <attvalues>\n` +
    v('role', a.role) +
    v('policy', a.policy) +
    v('committed', a.committed) +
    v('seeded', a.seeded) +
    (a.finalChoice === null ? '' : v('finalChoice', a.finalChoice)) +
    v('degree', csr.offsets[i + 1] - csr.offsets[i]) +
    a.choice.map((s) => spell('choice', s)).join('') +
    a.violated.map((s) => spell('violated', s)).join('') +
    '        </attvalues>\n      </node>\n'
  );
}

export function* dynamicGexfChunks(input: DynamicGexfInput): Generator<string> {
  const { csr, agents, rounds } = input;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield '<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n';
  yield '  <meta>\n    <creator>atp-sim</creator>\n';
  if (input.description) yield `    <description>${escapeXml(input.description)}</description>\n`;
  yield '  </meta>\n';
  // Time bounds on the graph so the timeline spans every round, even before the first change.
  yield `  <graph mode="dynamic" defaultedgetype="undirected" timeformat="integer" timerepresentation="interval" start="1" end="${Math.max(1, rounds)}">\n`;
  // Dynamic block first: readers that keep one block per class (graphology-gexf keeps the last)
  // still get the static attributes with their types.
  yield attributeBlock('dynamic', DYNAMIC);
  yield attributeBlock('static', STATIC);
  yield `    <nodes count="${csr.n}">\n`;
  let buf: string[] = [];
  for (let i = 0; i < csr.n; i++) {
    buf.push(nodeXml(csr, i, agents[i]));
    if (buf.length === NODES_PER_CHUNK) {
      yield buf.join('');
      buf = [];
    }
  }
  if (buf.length > 0) yield buf.join('');
  yield '    </nodes>\n';
  yield `    <edges count="${csr.offsets[csr.n] / 2}">\n`;
  yield* edgeLines(csr, (u, w, id) => `      <edge id="${id}" source="${escapeXml(csr.keys[u])}" target="${escapeXml(csr.keys[w])}"/>\n`);
  yield '    </edges>\n  </graph>\n</gexf>\n';
}

/** Grows an agent's spells round by round: a new spell only when the value changes or a round is missing. */
export function extendSpells(spells: Spell[], value: string, round: number): void {
  const last = spells[spells.length - 1];
  if (last && last.value === value && last.end === round - 1) spells[spells.length - 1] = { ...last, end: round };
  else spells.push({ value, start: round, end: round });
}
