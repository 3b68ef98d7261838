/**
 * Short condition labels for legends, panel titles and tables: only the parameters that differ
 * between the report's conditions (a sweep of topology x threshold with a fixed share reads
 * `ring,k=4 · threshold=2`, not `network=ring,k=4, game.threshold=2, population.committed...`,
 * which a legend cuts to identical prefixes). Keys shrink to their last dotted part unless two
 * varying keys would then read the same.
 */
import { valueLabel } from '../scenarios/sweep.ts';

interface Labelled {
  readonly label: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Keys whose value is not the same in every condition, in order of first appearance. */
export function varyingKeys(conditions: readonly Labelled[]): string[] {
  const keys = [...new Set(conditions.flatMap((c) => Object.keys(c.params ?? {})))];
  return keys.filter((k) => new Set(conditions.map((c) => valueLabel(c.params?.[k]))).size > 1);
}

/** Keys with the same value in every condition, with that value (for a "same everywhere" note). */
export function constantParams(conditions: readonly Labelled[]): Array<[string, string]> {
  if (conditions.length < 2) return [];
  const varying = new Set(varyingKeys(conditions));
  return Object.keys(conditions[0].params ?? {})
    .filter((k) => !varying.has(k) && conditions.every((c) => c.params && k in c.params))
    .map((k) => [k, valueLabel(conditions[0].params![k])]);
}

function shortKeys(keys: readonly string[]): Map<string, string> {
  const last = (k: string) => k.split('.').pop() ?? k;
  const count = new Map<string, number>();
  for (const k of keys) count.set(last(k), (count.get(last(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, count.get(last(k))! > 1 ? k : last(k)]));
}

/**
 * One short label per item: its varying parameters (`key=value`, joined by ` · `), or its own
 * label when nothing varies (a single run, unrelated runs) or it has none. Replicates of one
 * condition read the same.
 */
export function paramLabels(items: readonly Labelled[]): string[] {
  const keys = varyingKeys(items);
  if (keys.length === 0) return items.map((c) => c.label);
  const names = shortKeys(keys);
  return items.map((c) => {
    const parts = keys.filter((k) => c.params && k in c.params).map((k) => `${names.get(k)}=${valueLabel(c.params![k])}`);
    return parts.length ? parts.join(' · ') : c.label;
  });
}

/** `paramLabels` made distinct, one per condition (series are keyed by label). */
export function shortLabels(conditions: readonly Labelled[]): string[] {
  return uniqueLabels(paramLabels(conditions));
}

/**
 * Labels made unique in order (`a`, `a (2)`, ...): series are keyed by label, so two conditions
 * sharing a label would otherwise be drawn as one line.
 */
export function uniqueLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(labels);
  return labels.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    if (count === 1) return label;
    let candidate = `${label} (${count})`;
    while (taken.has(candidate)) candidate = `${candidate}′`;
    taken.add(candidate);
    return candidate;
  });
}
