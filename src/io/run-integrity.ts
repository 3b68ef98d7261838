/**
 * A run directory's files checked against its manifest before anything trusts them.
 *
 * The manifest is written atomically, but rounds.jsonl and decisions.jsonl are appended: a disk
 * that filled up, a copy cut short or a hand edit can leave a manifest that says `complete` over
 * files that hold fewer rounds. Averaging such a run with the others would silently change the
 * number of replicates per round, so sweeps re-run it, and merge and report name it and leave it
 * out. Problems name the file relative to the run directory (results.json holds no paths).
 */
import { join } from 'node:path';
import { AtpSimError } from '../core/errors.ts';
import type { Scenario } from '../core/scenario.ts';
import { lastJsonlRow, readJson, readJsonl, truncateJsonl, writeJsonAtomic } from './files.ts';

/** The manifest fields the check reads. */
export interface ManifestCounts {
  readonly status: string;
  readonly roundsCompleted: number;
  readonly network: { readonly nodes: number };
  readonly scenario: Pick<Scenario, 'population'>;
}

/**
 * Where decisions.jsonl ends: its last round, and whether that round is visibly cut short.
 * Rows of a round are written in agent order, so a whole round ends with agent n - 1 whenever
 * that agent is recorded: always with `record: all` (then the last row can be any policy), and
 * with `record: llm` when every agent is an LLM agent (seeded violators make no call in round 1,
 * so round 1 is not judged then). Mixed populations recorded `llm` are judged by round only.
 */
function decisionsEnd(dir: string, manifest: ManifestCounts): { round: number; partial: boolean } | null {
  const last = lastJsonlRow<{ round?: unknown; agent?: unknown; policy?: unknown }>(join(dir, 'decisions.jsonl'));
  if (!last || typeof last.round !== 'number') return null;
  const n = manifest.network.nodes;
  const pop = manifest.scenario.population;
  const allLlm = pop.policy.kind === 'llm' && pop.mix.length === 0 && pop.committed.count === 0 && (last.round > 1 || pop.seedViolators.count === 0);
  const partial = typeof last.agent === 'number' && last.agent !== n - 1 && (last.policy !== 'llm' || allLlm);
  return { round: last.round, partial };
}

/**
 * What is wrong with a run's rounds and decisions given its manifest, or null. `rounds` are the
 * rows of rounds.jsonl. A run that is still `running` (or was killed) has a stale count and is
 * not judged here: resuming it re-reads its files anyway.
 */
export function runFilesProblem(dir: string, manifest: ManifestCounts, rounds: ReadonlyArray<{ readonly round: number }>): string | null {
  if (manifest.status === 'running') return null;
  const contiguous = contiguousRounds(rounds);
  if (contiguous < manifest.roundsCompleted) {
    return `rounds.jsonl holds ${contiguous} complete round(s) but manifest.json says ${manifest.status} after ${manifest.roundsCompleted}`;
  }
  if (manifest.status === 'complete' && manifest.roundsCompleted > 0) {
    // Decisions are optional (record: none), so only a file that has rows is held to the count.
    const end = decisionsEnd(dir, manifest);
    if (end && (end.round < manifest.roundsCompleted || end.partial)) {
      return `decisions.jsonl ends ${end.partial ? 'inside' : 'at'} round ${end.round} but manifest.json says complete after ${manifest.roundsCompleted}`;
    }
  }
  return null;
}

/** Rounds 1..k present in order at the start of the file. */
function contiguousRounds(rounds: ReadonlyArray<{ readonly round: number }>): number {
  let k = 0;
  while (k < rounds.length && rounds[k].round === k + 1) k++;
  return k;
}

/** A CORRUPT_FILE error's message without the run directory in front (see the module note). */
export function problemOf(err: unknown, dir: string): string | null {
  if (!(err instanceof AtpSimError) || err.code !== 'CORRUPT_FILE') return null;
  return err.message.split(`${dir}/`).join('');
}

/**
 * Makes a run whose manifest says complete but whose files are short resumable again: the
 * files are cut to the rounds both of them still hold and the manifest goes back to
 * `incomplete`, so resuming re-runs only the missing rounds (recorded replies, then the cache,
 * answer the kept ones). Returns the round it will resume after.
 */
export function reopenDamagedRun(dir: string, problem: string): number {
  const mPath = join(dir, 'manifest.json');
  const manifest = readJson<ManifestCounts & Record<string, unknown>>(mPath);
  const rounds = readJsonl<{ round: number }>(join(dir, 'rounds.jsonl'));
  let keep = contiguousRounds(rounds);
  const end = decisionsEnd(dir, manifest);
  if (end) keep = Math.min(keep, end.partial ? end.round - 1 : end.round);
  let row = 0;
  truncateJsonl<{ round: number }>(join(dir, 'rounds.jsonl'), (r) => ++row <= keep && r.round === row);
  truncateJsonl<{ round: number }>(join(dir, 'decisions.jsonl'), (d) => d.round <= keep);
  writeJsonAtomic(mPath, { ...manifest, status: 'incomplete', roundsCompleted: keep, error: `damaged: ${problem}` });
  return keep;
}
