/** Types for ensure-node22.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const NODE22_VERSION: string;
export declare const NODE22: string;
export declare function ensureNode22(env?: NodeJS.ProcessEnv): string | undefined;
