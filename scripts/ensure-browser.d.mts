/** Types for ensure-browser.mjs (plain JavaScript: it runs before anything is compiled). */
export declare const CHROMIUM: string;
export interface MachineFacts {
  readonly exists: boolean;
  readonly skip: boolean;
  readonly isRoot: boolean;
  readonly hasAptGet: boolean;
  readonly hasSudo: boolean;
}
export declare function browserInstallPlan(facts: MachineFacts): { commands: string[][]; message: string };
export declare function ensureBrowser(env?: NodeJS.ProcessEnv): number;
