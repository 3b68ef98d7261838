/**
 * A run's network for Gephi: the graph it played on with each agent's role, policy and degree,
 * and its choice per round as GEXF 1.3 spells (src/networks/formats/dynamic-gexf.ts), read from
 * the run's decisions.jsonl. Written by a run when it ends (networks up to the run's
 * network-file limit) and by `atp-sim export <run> --format gexf` for any run.
 */
import { join } from 'node:path';
import { assignRoles } from '../policies/roles.ts';
import type { Csr, DecisionRecord } from '../core/types.ts';
import { forEachJsonl } from '../io/files.ts';
import { writeFileAtomic } from '../networks/files.ts';
import { dynamicGexfChunks, extendSpells, type AgentView, type Spell } from '../networks/formats/dynamic-gexf.ts';
import type { Scenario } from '../scenarios/types.ts';

/** How an unparseable reply (choice null) shows in Gephi: a value of its own, so it can be coloured. */
export const INVALID_CHOICE = '(invalid)';

/** The agents' attributes and spells from the recorded decisions (agents not recorded get none). */
export function runAgentViews(runDir: string, scenario: Scenario, csr: Csr): { agents: AgentView[]; rounds: number } {
  const roles = assignRoles(scenario, csr);
  const committed = new Set(roles.committed);
  const seeded = new Set(roles.seedViolators);
  const choice: Spell[][] = Array.from({ length: csr.n }, () => []);
  const violated: Spell[][] = Array.from({ length: csr.n }, () => []);
  const final: Array<string | null> = new Array<string | null>(csr.n).fill(null);
  let rounds = 0;
  forEachJsonl<DecisionRecord>(join(runDir, 'decisions.jsonl'), (d) => {
    const value = d.choice ?? INVALID_CHOICE;
    extendSpells(choice[d.agent], value, d.round);
    extendSpells(violated[d.agent], String(d.violated), d.round);
    final[d.agent] = value;
    if (d.round > rounds) rounds = d.round;
  });
  const agents = Array.from({ length: csr.n }, (_, a): AgentView => {
    const isCommitted = committed.has(a);
    const isSeeded = seeded.has(a);
    return {
      role: isCommitted ? 'committed' : isSeeded ? 'seeded' : 'regular',
      policy: roles.policyName(a),
      committed: isCommitted,
      seeded: isSeeded,
      finalChoice: final[a],
      choice: choice[a],
      violated: violated[a],
    };
  });
  return { agents, rounds };
}

/** Writes `path` (whole or not at all) from the run directory's decisions; returns the rounds covered. */
export function writeRunGexf(path: string, runDir: string, scenario: Scenario, csr: Csr): number {
  const { agents, rounds } = runAgentViews(runDir, scenario, csr);
  const description = `${scenario.name}, seed ${scenario.seed}: ${rounds > 0 ? `choice per round as spells (rounds 1-${rounds})` : 'no decisions recorded (record: none)'}`;
  writeFileAtomic(path, dynamicGexfChunks({ csr, agents, rounds, description }));
  return rounds;
}
