/** Types for vega-render.mjs (plain JavaScript so that worker threads can load it). */
export declare function offlineLoader(attempts?: string[]): {
  readonly load: (uri: string) => Promise<never>;
  readonly sanitize: (uri: string) => Promise<never>;
  readonly http: (uri: string) => Promise<never>;
  readonly file: (uri: string) => Promise<never>;
};
export declare function renderVegaSvg(vegaSpec: object): Promise<string>;
export declare function renderVegaSvgs(vegaSpecs: readonly object[]): Promise<string[]>;
