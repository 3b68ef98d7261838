/**
 * The world the engine steps: the graph of the current round, who plays which policy, and the
 * agents' capital. Interventions may change it between rounds (the graph is read from here every
 * round, never captured once).
 */
import type { Csr } from './types.ts';

/** The choice of an agent whose reply could not be read (or whose call failed). */
export const INVALID = -1;

export interface Roles {
  /** Agents per policy key, each sorted ascending. Committed agents are not listed here. */
  readonly byPolicy: Map<string, Int32Array>;
  /** Agents that always take option 0 without deciding. */
  readonly committed: Int32Array;
  /** Agents forced to violate in round 1. */
  readonly seedViolators: Int32Array;
  policyName(agent: number): string;
}

/** `World.forced` value of an agent whose choice is its own. */
export const FREE = -2;

export interface World {
  /** The graph of the current round; an intervention changes it by assigning a new Csr, never by editing its arrays. */
  csr: Csr;
  readonly roles: Roles;
  readonly capital: Float64Array;
  /** Choices imposed by interventions (FREE: none), applied after the policies decide; null until one is. */
  forced: Int8Array | null;
  /** Messages added to every model agent's prompt from the round they are posted. */
  readonly notes: string[];
}
