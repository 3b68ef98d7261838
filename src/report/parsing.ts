/** Reply parsing across the runs of a report (`prompt.parse`; see policies/llm/read-choice.ts). */
import type { ReportData } from './types.ts';

/**
 * Reply parsing over the runs that counted it: the modes used, the replies the other parsing
 * reads differently, and in how many runs (null: no run counted it).
 */
export function parsingTotals(runs: ReportData['runs']): { modes: string[]; disagreements: number; affected: number; counted: number } | null {
  const counted = runs.flatMap((r) => (r.replyParsing ? [r.replyParsing] : []));
  if (counted.length === 0) return null;
  return {
    modes: [...new Set(counted.map((p) => p.mode))].sort(),
    disagreements: counted.reduce((a, p) => a + p.disagreements, 0),
    affected: counted.filter((p) => p.disagreements > 0).length,
    counted: counted.length,
  };
}
