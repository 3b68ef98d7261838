/**
 * An intervention kind: reads its settings from a scenario's `interventions:` list and builds
 * the engine's `Intervention` (core/plugins.ts) for one run. Register it in registry.ts.
 */
import type { Reader, Obj } from '../core/reader.ts';
import type { Csr } from '../core/types.ts';
import type { GameRules, Intervention } from '../core/plugins.ts';
import type { InterventionSpec } from '../core/scenario.ts';

export interface InterventionSetup {
  /** The run's root seed: every random choice comes from a stream derived from it. */
  readonly seed: number;
  readonly csr: Csr;
  readonly game: GameRules;
  /** Position in the scenario's list (names the record and the random streams). */
  readonly index: number;
}

export interface InterventionKind<S extends InterventionSpec = InterventionSpec> {
  readonly kind: S['kind'];
  /** The settings it takes besides `kind` (unknown ones are reported). */
  readonly fields: readonly string[];
  /** Reads and checks the settings; problems go to the reader with their path. */
  parse(r: Reader, o: Obj, path: string): S;
  create(spec: S, setup: InterventionSetup): Intervention;
}
