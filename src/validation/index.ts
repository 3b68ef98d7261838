/**
 * `atp-sim validate`: published results reproduced on demand. Each validation is a shipped sweep
 * file under scenarios/validation/ plus the comparison it is judged by; the reduced sizes (the
 * default, seconds) keep every grid value and shrink the population and the replicates, `full`
 * runs the files as they are (the papers' sizes).
 */
import { fileURLToPath } from 'node:url';
import { loadSweepFile } from '../scenarios/sweep.ts';
import { validateCentolaMacy, type CentolaMacyResult } from './centola-macy.ts';
import { validateWatts, type WattsResult } from './watts.ts';
import { validateSantosPacheco, type DilemmaSize, type SantosPachecoResult } from './santos-pacheco.ts';

export const VALIDATIONS = ['watts', 'centola-macy', 'santos-pacheco'] as const;
export type ValidationName = (typeof VALIDATIONS)[number];

const FILES: Record<ValidationName, string> = {
  watts: fileURLToPath(new URL('../../scenarios/validation/watts-2002.yaml', import.meta.url)),
  'centola-macy': fileURLToPath(new URL('../../scenarios/validation/centola-macy-2007.yaml', import.meta.url)),
  'santos-pacheco': fileURLToPath(new URL('../../scenarios/validation/santos-pacheco-2005.yaml', import.meta.url)),
};

/** The default, reduced sizes: small enough for seconds, large enough for clear intervals. */
export const REDUCED: Record<ValidationName, DilemmaSize> = {
  watts: { agents: 2000, replicates: 100 },
  'centola-macy': { agents: 400, replicates: 20 },
  'santos-pacheco': { agents: 300, replicates: 10, rounds: 600 },
};

export interface ValidationOptions {
  readonly full?: boolean;
  readonly only?: readonly ValidationName[];
  /** Share of the network a cascade must exceed to be global (Watts: 0.1). */
  readonly globalShare?: number;
  /** Sizes instead of REDUCED (tests); ignored with `full`. */
  readonly sizes?: Partial<Record<ValidationName, DilemmaSize>>;
  readonly onCell?: (name: ValidationName, done: number, total: number) => void;
}

export interface ValidationResults {
  readonly full: boolean;
  readonly watts?: WattsResult;
  readonly centolaMacy?: CentolaMacyResult;
  readonly santosPacheco?: SantosPachecoResult;
  /** What did not agree with the theory or the published ordering (empty: all did). */
  readonly failures: readonly string[];
  readonly notRun: readonly string[];
}

export async function runValidations(options: ValidationOptions = {}): Promise<ValidationResults> {
  const only = new Set(options.only ?? VALIDATIONS);
  const size = (name: ValidationName) => (options.full ? {} : { ...REDUCED[name], ...options.sizes?.[name] });
  const failures: string[] = [];
  let watts: WattsResult | undefined;
  let centolaMacy: CentolaMacyResult | undefined;
  if (only.has('watts')) {
    watts = await validateWatts(loadSweepFile(FILES.watts), {
      size: size('watts'),
      globalShare: options.globalShare,
      onCell: (d, t) => options.onCell?.('watts', d, t),
    });
    for (const p of watts.points) {
      if (!p.agrees && !p.nearEdge) {
        failures.push(`Watts z=${p.z}: analytic P(global cascade) ${p.theory.probability.toFixed(3)} outside the simulated [${p.probability.lo.toFixed(3)}, ${p.probability.hi.toFixed(3)}]`);
      }
    }
  }
  if (only.has('centola-macy')) {
    centolaMacy = await validateCentolaMacy(loadSweepFile(FILES['centola-macy']), {
      size: size('centola-macy'),
      onCell: (d, t) => options.onCell?.('centola-macy', d, t),
    });
    for (const c of centolaMacy.checks) if (!c.holds) failures.push(`Centola-Macy: ${c.claim} does not hold (${c.detail})`);
  }
  let santosPacheco: SantosPachecoResult | undefined;
  if (only.has('santos-pacheco')) {
    santosPacheco = await validateSantosPacheco(loadSweepFile(FILES['santos-pacheco']), {
      size: size('santos-pacheco'),
      onCell: (d, t) => options.onCell?.('santos-pacheco', d, t),
    });
    for (const c of santosPacheco.checks) if (!c.holds) failures.push(`Santos-Pacheco: ${c.claim} does not hold (${c.detail})`);
  }
  return { full: Boolean(options.full), ...(watts ? { watts } : {}), ...(centolaMacy ? { centolaMacy } : {}), ...(santosPacheco ? { santosPacheco } : {}), failures, notRun: [] };
}
