/** Numbers as the reproduction's tables print them (shared by the paradigms and the writers). */

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined || Number.isNaN(rate) ? '-' : `${(rate * 100).toFixed(1)}%`;
}

/** `43/56 76.8%`: the count, its denominator and the share; `-` when nothing was decided. */
export function share(c: { readonly count: number; readonly decisions: number } | undefined): string {
  return c && c.decisions > 0 ? `${c.count}/${c.decisions} ${percent(c.count / c.decisions)}` : '-';
}

/** The model most runs used (one per reproduction folder, unless the user changed it). */
export function mainModel(models: readonly string[]): string | undefined {
  const n = new Map<string, number>();
  for (const m of models) n.set(m, (n.get(m) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}
