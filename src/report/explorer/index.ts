/** The interactive explorer: `loadExplorerData(dir)` then `renderExplorer(data)` (one offline HTML page). */
export { loadExplorerData, type ExplorerOptions } from './data.ts';
export { renderExplorer } from './html.ts';
export { EXPLORER_NODE_LIMIT } from './sample.ts';
export * from './types.ts';
