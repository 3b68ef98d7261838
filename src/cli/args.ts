/** Argument checks shared by the commands: numbers, the model flags, the cache mode. */
import { parseArgs } from 'node:util';
import { AtpSimError } from '../core/errors.ts';
import { parseModelArg, type CacheMode, type ModelSettings } from '../llm/index.ts';
import { redactUrl } from '../core/url.ts';

/** A whole number >= min from a flag, or undefined when the flag is absent. */
export function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  // Safe integers only: above 2^53 distinct inputs (seeds 1e20 and 1e20+1) collapse to one number.
  if (!Number.isSafeInteger(x) || x < min) {
    throw new AtpSimError('INVALID_ARGUMENT', `--${name}: must be a whole number from ${min} to ${Number.MAX_SAFE_INTEGER}; got "${value}" (fix: use a smaller whole number)`);
  }
  return x;
}

/** The options every command that calls a model accepts (for node:util parseArgs). */
export const MODEL_FLAGS = {
  model: { type: 'string' },
  // Repeatable: several servers of one model make a pool (src/llm/pool.ts).
  endpoint: { type: 'string', multiple: true },
  provider: { type: 'string' },
  cache: { type: 'string' },
  'cache-mode': { type: 'string' },
  'cache-share': { type: 'boolean' },
} as const;

/** Validates the model flags: settings (when --model is given) and the cache mode. */
export function modelFlags(values: { model?: string; endpoint?: string[]; provider?: string; 'cache-mode'?: string }): {
  modelSettings: ModelSettings | undefined;
  cacheMode: CacheMode | undefined;
} {
  const cacheMode = values['cache-mode'];
  if (cacheMode !== undefined && !['read-write', 'replay', 'off'].includes(cacheMode)) {
    throw new AtpSimError('INVALID_ARGUMENT', `--cache-mode: must be read-write, replay or off; got "${cacheMode}"`);
  }
  const endpoints = values.endpoint ?? [];
  if (!values.model && (endpoints.length > 0 || values.provider)) {
    throw new AtpSimError('INVALID_ARGUMENT', '--endpoint/--provider need --model (the model name the server serves)');
  }
  let modelSettings = values.model ? parseModelArg(values.model, endpoints[0], values.provider) : undefined;
  if (modelSettings && endpoints.length > 1) {
    for (const url of endpoints.slice(1)) parseModelArg(values.model!, url); // each one an http(s) URL
    const twice = endpoints.find((u, i) => endpoints.indexOf(u) !== i);
    if (twice !== undefined) throw new AtpSimError('INVALID_ARGUMENT', `--endpoint ${redactUrl(twice)} is given twice (fix: give each server once)`);
    const { endpointUrl: _one, ...rest } = modelSettings;
    modelSettings = { ...rest, endpoints: endpoints.map((url) => ({ url })) };
  }
  return { modelSettings, cacheMode: cacheMode as CacheMode | undefined };
}

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

type FlagSpec = { readonly type: 'string' | 'boolean'; readonly short?: string };

/** node:util parseArgs as every command uses it: strict, positionals allowed, plus -h/--help. */
export function parseCommand<const O extends Record<string, FlagSpec>>(argv: string[], options: O) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, ...HELP_FLAG } });
}

/** Access tokens from the environment: HF_TOKEN for hosted models only, a separate key for endpoints. */
export function tokensFromEnv(env: NodeJS.ProcessEnv): { token?: string; endpointKey?: string } {
  return { token: env.HF_TOKEN || undefined, endpointKey: env.ATP_SIM_ENDPOINT_KEY || env.OPENAI_API_KEY || undefined };
}
