/** The small sweep both table exports (CSV and Parquet) are tested on: 2 networks x 2 shares x 2 replicates. */
import { classicBase } from '../sweep/fixtures.ts';

export const EXPORT_SWEEP = {
  name: 'exported',
  base: classicBase(4),
  grid: { network: [{ kind: 'ring' }, { kind: 'watts-strogatz', beta: 0.1 }], 'population.committed.share': [0, 0.25] },
  replicates: 2,
  seed: 3,
};
