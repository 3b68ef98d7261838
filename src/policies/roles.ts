/**
 * Who plays which policy: committed agents, policy groups (`population.mix`), seeded violators
 * and everyone else, placed on the graph by the scenario's placement strategies.
 */
import type { Csr } from '../core/types.ts';
import { deriveSeed, rngStream } from '../core/rng.ts';
import type { Roles as WorldRoles } from '../core/world.ts';
import { placeAgents } from '../networks/index.ts';
import type { Group, PolicySpec, Scenario } from '../core/scenario.ts';

export interface Roles extends WorldRoles {
  /** The policy settings of each policy key. */
  readonly specs: Map<string, PolicySpec>;
}

export function policyKey(p: PolicySpec): string {
  switch (p.kind) {
    case 'fixed':
      return `fixed(${p.option})`;
    case 'fermi':
      return `fermi(K=${p.K})`;
    case 'surrogate':
      return `surrogate(${p.file})`;
    case 'threshold':
      return `threshold(theta=${p.thetaDist ? JSON.stringify(p.thetaDist) : p.theta}${p.progressive ? ',progressive' : ''})`;
    case 'llm': {
      // A group with its own model or prompt variant is a policy group of its own.
      if (p.label) return `llm:${p.label}`;
      const parts = [p.model ? `model=${p.model.name}` : '', p.persona ? 'persona' : '', p.rule ? 'rule' : ''].filter(Boolean);
      return parts.length ? `llm(${parts.join(',')})` : 'llm';
    }
    default:
      return p.kind;
  }
}

/** Places `group.count` agents among those not yet taken, deterministically per seed and label. */
function place(csr: Csr, group: Group, taken: Uint8Array, seed: number, label: string): number[] {
  if (group.count === 0) return [];
  let free = 0;
  for (let i = 0; i < csr.n; i++) if (!taken[i]) free++;
  const want = Math.min(group.count, free);
  const rng = rngStream(deriveSeed(seed, 'placement', label));
  const ranked = placeAgents(csr, { strategy: group.placement, count: Math.min(csr.n, want + (csr.n - free)), rng });
  const picked = ranked.filter((i) => !taken[i]).slice(0, want);
  // Overlaps with earlier groups can leave us short: fill in index order.
  for (let i = 0; i < csr.n && picked.length < want; i++) if (!taken[i] && !picked.includes(i)) picked.push(i);
  for (const i of picked) taken[i] = 1;
  return picked.sort((a, b) => a - b);
}

export function assignRoles(s: Scenario, csr: Csr): Roles {
  const n = csr.n;
  const taken = new Uint8Array(n);
  const committed = Int32Array.from(place(csr, s.population.committed, taken, s.seed, 'committed'));
  const policyOf: string[] = new Array(n);
  const specs = new Map<string, PolicySpec>();
  for (const a of committed) policyOf[a] = 'committed';
  s.population.mix.forEach((g, k) => {
    const key = policyKey(g.policy);
    specs.set(key, g.policy);
    for (const a of place(csr, g, taken, s.seed, `mix${k}`)) policyOf[a] = key;
  });
  const dflt = policyKey(s.population.policy);
  specs.set(dflt, s.population.policy);
  const members = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    if (policyOf[i] === undefined) policyOf[i] = dflt;
    if (policyOf[i] === 'committed') continue;
    let list = members.get(policyOf[i]);
    if (!list) members.set(policyOf[i], (list = []));
    list.push(i);
  }
  const byPolicy = new Map<string, Int32Array>();
  for (const [k, v] of members) byPolicy.set(k, Int32Array.from(v));
  // Seeded violators come from the non-committed agents.
  const notCommitted = new Uint8Array(n);
  for (const a of committed) notCommitted[a] = 1;
  const seedViolators = Int32Array.from(place(csr, s.population.seedViolators, notCommitted, s.seed, 'seedViolators'));
  return { byPolicy, specs, committed, seedViolators, policyName: (a) => policyOf[a] };
}
