/** The raw scenarios the benchmark runs (plain data, validated by prepareRun like any file). */

const OPTIONS = { collective: 'collude', independent: 'comply' };

/**
 * A neighbourhood threshold game on which a seeded violation spreads: each agent plays with its
 * closed neighbourhood, success needs 15% colluders and pays colluders x1.5 (compliers keep
 * their capital), failure costs colluders 10%. 1% seed violators on the highest-degree nodes of
 * a Barabási–Albert graph reach everyone within a few rounds under imitate-best.
 *
 * The per-round Gini of capital is off (`metrics.gini: off`; `gini` sets it): the run computes the
 * dynamics and the round record's counts, what the Python versions (bench/imitate.py) compute.
 */
export function classicScenario(n: number, policy: unknown, over: { rounds?: number; seed?: number; network?: unknown; gini?: string } = {}): Record<string, unknown> {
  return {
    name: 'bench-classic',
    kind: 'threshold-game',
    rounds: over.rounds ?? 100,
    seed: over.seed ?? 1,
    metrics: { gini: over.gini ?? 'off' },
    population: { size: n, policy, seedViolators: { share: 0.01, placement: 'highest-degree' } },
    network: over.network ?? { kind: 'barabasi-albert', n, m: 5 },
    game: {
      options: OPTIONS,
      scope: 'neighborhood',
      threshold: 0.15,
      rewards: { high: 1.5, normal: 1.0, low: 0.9 },
      successPaysAll: false,
    },
    prompt: { style: 'network', text: { system: 'You are one of {n} traders.', round: 'Collude or comply?' } },
  };
}

export const SYSTEM_TEXT =
  'You are one of {n} traders in a market. Each round every trader decides, on their own, whether to collude on prices ' +
  '("{collective}") or to follow the competition rules ("{independent}"). You play with your neighbours: when at least ' +
  '{threshold} of your group colludes, the colluders earn more; when too few collude, colluding costs you.';

/** LLM agents in the `network` prompt style on a small world (Watts–Strogatz, k = 8). */
export function llmScenario(n: number, over: { rounds?: number; endpoint?: string; concurrency?: number; historyWindow?: number; network?: unknown } = {}): Record<string, unknown> {
  return {
    name: 'bench-llm',
    kind: 'threshold-game',
    rounds: over.rounds ?? 5,
    seed: 1,
    population: { size: n, policy: 'llm' },
    network: over.network ?? { kind: 'watts-strogatz', n, k: 8, beta: 0.1 },
    game: {
      options: OPTIONS,
      scope: 'neighborhood',
      threshold: 0.3,
      rewards: { high: 1.5, normal: 1.0, low: 0.9 },
      successPaysAll: false,
    },
    prompt: {
      style: 'network',
      historyWindow: over.historyWindow ?? 3,
      text: { system: SYSTEM_TEXT, round: 'A new round opens. Decide now.' },
    },
    model: {
      name: 'bench-model',
      ...(over.endpoint ? { endpoint: over.endpoint } : {}),
      concurrency: over.concurrency ?? 8,
      maxRetries: 0,
      timeoutMs: 120_000,
      temperature: 0.7,
      maxTokens: 64,
    },
  };
}
