/**
 * A game: everything atp-sim knows about one kind of `game:` section. The engine sees only its
 * rules (`GameRules` in core/plugins.ts); prompts, parsing, records and reports ask the rest
 * here. Add a game as one folder under src/games/ plus one line in registry.ts.
 */
import type { Csr } from '../core/types.ts';
import type { GameRules, RoundView } from '../core/plugins.ts';
import type { GameConfigBase, GameTexts, Scenario } from '../core/scenario.ts';
import type { Reader } from '../core/reader.ts';
import type { PromptStyle, StyleContext } from './style.ts';

/** Files a `game:` section may name: relative to `baseDir`; `readText` throws like readFileSync. */
export interface GameFiles {
  readonly baseDir: string;
  readText(path: string): string;
}

/** A game's action space: N discrete options, or a continuous amount in [min, max]. */
export type ActionSpace =
  | { readonly kind: 'discrete'; readonly options: readonly string[] }
  | {
      readonly kind: 'continuous';
      readonly min: number;
      readonly max: number;
      readonly unit: string;
      /** The reply's JSON key (default `amount`); a game naming one also accepts a final answer that is one bare number. */
      readonly key?: string;
    };

/** What the native `network` style asks a game for. */
export interface NetworkTexts {
  /** The static system text (rules and options); the style appends the neighbours' paragraph. */
  readonly system: string;
  /** The line that opens the agent's round message. */
  roundText(round: number, agent: number): string;
  /** A sentence about the agent's own game outcome, appended to its remembered round ('' for none). */
  outcomeLine(agent: number, view: RoundView): string;
  /** The answer-format sentence (default: a JSON object naming one of the options). */
  readonly format?: string;
  /** false: the agent remembers no earlier round and is told nothing about its neighbours (default: it does). */
  readonly memory?: false;
}

export interface GameDefinition<G extends GameConfigBase = GameConfigBase> {
  readonly kind: G['kind'];
  /**
   * Reads the `game:` section (`n`: the population size, -1 until a network file is loaded);
   * problems go to the reader with their path. The built-in games are read in scenarios/parse.ts.
   * `where`: the folder files named in the section are relative to (the scenario's), and how to
   * read one (games do no I/O of their own).
   */
  parse?(r: Reader, raw: unknown, n: number, where: GameFiles): G | undefined;
  /** Reads `prompt.text` (undefined when absent: texts are needed only by model agents). */
  parseTexts?(r: Reader, raw: unknown, path: string): GameTexts | undefined;
  actionSpace(game: G): ActionSpace;
  /** Index of the violating option within `game.options`. */
  violationIndex(game: G): number;
  /** The round loop's view of the game for one run. */
  rules(game: G, scenario: Scenario, csr: Csr): GameRules;
  /** The values a scenario's texts may refer to (`{n}`, `{threshold}`, ...). */
  vars(game: G, scenario: Scenario): Record<string, string>;
  /** Fields a reply carries beside `choice` (JSON-schema properties), for structured output. */
  replyProperties?(game: G): Record<string, unknown>;
  /** Texts of the native `network` prompt style. */
  networkTexts(game: G, scenario: Scenario, vars: Record<string, string>): NetworkTexts;
  /** Columns `atp-sim run` adds to its round table: a round-record field, shown as a percentage or a number. */
  readonly table?: ReadonlyArray<{ readonly header: string; readonly field: string; readonly percent?: boolean }>;
  /** The byte-exact ATP reference style, where one exists. */
  readonly atp?: {
    style(ctx: StyleContext): PromptStyle;
    /** The reference parser of this game (first match wins). */
    parse(reply: string, options: readonly string[]): string | null;
    /** The label the reference shows for a reply it cannot read. */
    readonly invalidLabel: string;
  };
}
