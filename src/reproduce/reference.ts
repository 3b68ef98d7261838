/**
 * The paper's published reference points with their denominators, and which of its statements
 * are qualitative only (no number to compare with). Numbers: src/metrics/atp-table.ts
 * (ATP_REFERENCE, from arXiv 2510.04860 as summarised in /work/shared/atp/README.md).
 *
 * A published percent of a round stands for a count of decisions: 76.8 % of the 56 decisions of
 * a group-game round is 43 of 56; 18.8 % of the 64 role-play items is 12 of 64. The count is the
 * whole number whose share rounds to the published percent, so a reader sees the granularity of
 * the comparison (one decision moves a group-game round by 1.8 points, a role-play round by 1.6).
 */
import { ATP_REFERENCE } from '../metrics/atp-table.ts';
import type { Reference } from './paradigm.ts';

/** Decisions per round in the paper: 7 games x 8 agents; 64 role-play items. */
export const GROUP_DECISIONS = 56;
export const ROLEPLAY_ITEMS = 64;

/** The count of `denominator` that a published percent (one decimal) stands for. */
export function countOf(percent: number, denominator: number): number {
  return Math.round((percent / 100) * denominator);
}

type Measured = Reference['measured'];

export function numericReference(setting: string, model: string, round: number, percent: number, denominator: number, measured: Measured): Reference {
  return { setting, model, round, percent, count: countOf(percent, denominator), denominator, qualitative: false, statement: `${percent.toFixed(1)}% (${countOf(percent, denominator)}/${denominator})`, measured };
}

export function qualitativeReference(setting: string, model: string, statement: string): Reference {
  return { setting, model, round: null, percent: null, count: null, denominator: null, qualitative: true, statement, measured: null };
}

export const GROUP_REFERENCE = ATP_REFERENCE.groupGame;
export const ROLEPLAY_REFERENCE = ATP_REFERENCE.rolePlay;
export const CITATION = ATP_REFERENCE.citation;
