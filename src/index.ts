/** atp-sim's public API (re-exports only). */
export { runScenario, estimateRun, prepareRun, VERSION, type RunOptions, type RunResult, type RunProgressInfo } from './run.ts';
export { runEngine, type EngineOptions, type RunSink, type DecisionProgress } from './core/simulation.ts';
export { deriveSeed, rngStream } from './core/rng.ts';
export { AtpSimError, type Issue } from './core/errors.ts';
export type * from './core/types.ts';
export { loadScenarioFile, resolveScenario, checkScenario, parseScenarioText } from './scenarios/parse.ts';
export type * from './scenarios/types.ts';
export { atpGroupScenario, atpDilemmaScenario, importAtpFile } from './scenarios/atp-import.ts';
export { payThreshold, paySupervision, isSupervised } from './scenarios/payoff.ts';
export { parseChoice, parseAtpGroupChoice, parseAtpSoloChoice, splitReasoning } from './agents/parse-choice.ts';
export { readChoice, readBoth } from './agents/read-choice.ts';
export { redactUrl, redactUrlsIn } from './core/url.ts';
export { createModel, parseModelArg, scriptedModel, Limiter, ResponseCache, type ModelSettings } from './llm/index.ts';
export * as networks from './networks/index.ts';
export { runSweep, mergeSweeps, sweepResults } from './sweep.ts';
export { summarizeRun, tippingStats, type RunSummary } from './metrics/summary.ts';
export { runValidations, type ValidationOptions, type ValidationResults } from './validation/index.ts';
export { cascadeWindow, cascadeProbability, cascadeSize } from './validation/cascade-theory.ts';
