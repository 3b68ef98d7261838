/**
 * Who an intervention acts on: the top k agents by degree or betweenness, or k at random
 * (seeded), ranked on the graph of the round it acts (networks/placement.ts).
 */
import type { Reader, Obj } from '../core/reader.ts';
import type { Csr } from '../core/types.ts';
import { deriveSeed, rngStream } from '../core/rng.ts';
import { placeAgents } from '../networks/placement.ts';

export interface Target {
  readonly by: 'degree' | 'betweenness' | 'random';
  /** How many agents: a count, or a share of the population when `share` was given. */
  readonly count?: number;
  readonly share?: number;
}

export function readTarget(r: Reader, o: Obj, path: string): Target {
  const by = r.oneOf(o, 'by', path, ['degree', 'betweenness', 'random'] as const, 'degree')!;
  if ((o.count === undefined) === (o.share === undefined)) r.problem(path, 'give either `count` or `share` of the agents to target', 'e.g. count: 5 or share: 0.05');
  const count = r.optNumber(o, 'count', path, { min: 0, integer: true });
  const share = r.optNumber(o, 'share', path, { min: 0, max: 1 });
  return { by, ...(count !== undefined ? { count } : {}), ...(share !== undefined ? { share } : {}) };
}

/** The targeted agents, ascending. */
export function pickTargets(csr: Csr, t: Target, seed: number, label: string): number[] {
  const count = Math.min(csr.n, t.count ?? Math.round((t.share ?? 0) * csr.n));
  const strategy = t.by === 'degree' ? 'highest-degree' : t.by === 'betweenness' ? 'highest-betweenness' : 'random';
  return placeAgents(csr, { strategy, count, rng: rngStream(deriveSeed(seed, 'intervention', label)) });
}

/** Reads the round an intervention acts at (`at`, 1-based). */
export function readRound(r: Reader, o: Obj, path: string, field = 'at', dflt?: number): number {
  return r.number(o, field, path, { min: 1, integer: true, ...(dflt !== undefined ? { dflt } : {}) }) ?? 1;
}

/** A targeted intervention's settings: it acts once, at round `at`, on `target`. */
export interface TargetedSpec<K extends string> {
  readonly kind: K;
  readonly at: number;
  readonly target: Target;
  readonly [setting: string]: unknown;
}

/** The settings of a targeted intervention: `at` (the round) and `target`. */
export function readTargeted(r: Reader, o: Obj, path: string): { at: number; target: Target } {
  return { at: readRound(r, o, path), target: readTarget(r, r.object(o.target, `${path}.target`, ['by', 'count', 'share']) ?? {}, `${path}.target`) };
}
