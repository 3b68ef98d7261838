/**
 * Scenario types, in one import for the modules above the games: the engine's scenario
 * (core/scenario.ts) and the settings of the built-in games (their own folders).
 */
export * from '../core/scenario.ts';
export * from '../games/threshold/types.ts';
export * from '../games/supervision/types.ts';
export { violationIndex } from '../games/registry.ts';
