/** Argument checks shared by the commands: numbers, the model flags, the cache mode. */
import { parseArgs } from 'node:util';
import { AtpSimError, describeValue } from '../core/errors.ts';
import { closest } from '../core/reader.ts';
import { isHttpUrl } from '../core/url.ts';
import { safeUrl } from '../llm/hf.ts';
import { parseModelArg, type CacheMode, type ModelSettings } from '../llm/index.ts';
import { redactUrl } from '../core/url.ts';

/** A whole number >= min from a flag, or undefined when the flag is absent. */
export function wholeNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  // Safe integers only: above 2^53 distinct inputs (seeds 1e20 and 1e20+1) collapse to one number.
  if (!Number.isSafeInteger(x) || x < min) {
    const fix = Number.isFinite(x) && x < min ? `use ${min} or more` : Math.abs(x) > Number.MAX_SAFE_INTEGER ? 'use a smaller whole number' : 'write a whole number such as 42';
    throw new AtpSimError('INVALID_ARGUMENT', `--${name}: must be a whole number >= ${min} (at most ${Number.MAX_SAFE_INTEGER}); got "${value}" (fix: ${fix})`);
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
  'context-size': { type: 'string' },
} as const;

type ModelValues = { model?: string; endpoint?: string[]; provider?: string; 'cache-mode'?: string; 'context-size'?: string };

/**
 * The model flags with environment defaults, the usual convention (a flag beats the environment,
 * which beats the scenario file): ATP_SIM_MODEL for --model; ATP_SIM_ENDPOINT, else
 * OPENAI_BASE_URL (what OpenAI's own clients read), for --endpoint. An endpoint from the
 * environment is ambient, so it applies only to hosted or server models and only when no
 * --provider is given; a bad value is reported under the variable's name.
 */
export function withModelEnv(values: ModelValues, env: NodeJS.ProcessEnv): ModelValues {
  const model = values.model ?? (env.ATP_SIM_MODEL || undefined);
  const name = env.ATP_SIM_ENDPOINT ? 'ATP_SIM_ENDPOINT' : env.OPENAI_BASE_URL ? 'OPENAI_BASE_URL' : undefined;
  const applies = name && values.endpoint === undefined && values.provider === undefined && model && !/^\s*(local|scripted):/.test(model);
  if (!applies) return { ...values, model };
  const endpoint = env[name] as string;
  if (!isHttpUrl(endpoint)) {
    throw new AtpSimError('INVALID_ARGUMENT', `${name}: must be an http(s) URL such as http://localhost:8000/v1; got ${describeValue(safeUrl(endpoint))} (fix: correct or unset ${name})`);
  }
  return { ...values, model, endpoint: [endpoint] };
}

/** Validates the model flags (with their environment defaults): settings when a model is given, and the cache mode. */
export function modelFlags(flags: ModelValues, env: NodeJS.ProcessEnv = {}): {
  modelSettings: ModelSettings | undefined;
  cacheMode: CacheMode | undefined;
} {
  const values = withModelEnv(flags, env);
  const cacheMode = values['cache-mode'];
  if (cacheMode !== undefined && !['read-write', 'replay', 'off'].includes(cacheMode)) {
    const near = closest(cacheMode, ['read-write', 'replay', 'off']);
    throw new AtpSimError('INVALID_ARGUMENT', `--cache-mode: must be read-write, replay or off; got "${cacheMode}" (fix: ${near ? `did you mean ${near}?` : 'use one of those three'})`);
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
  if (values['context-size'] !== undefined) {
    if (modelSettings?.backend !== 'local') {
      throw new AtpSimError('INVALID_ARGUMENT', `--context-size applies to local models; got ${values.model ? `--model ${values.model}` : 'no --model'} (fix: use --model local:<file.gguf>, or drop --context-size)`);
    }
    const contextSize = wholeNumber('context-size', values['context-size'], 16);
    if (contextSize! > 1 << 20) throw new AtpSimError('INVALID_ARGUMENT', `--context-size: must be at most ${1 << 20} tokens; got "${values['context-size']}"`);
    modelSettings = { ...modelSettings, contextSize };
  }
  return { modelSettings, cacheMode: cacheMode as CacheMode | undefined };
}

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

type FlagSpec = { readonly type: 'string' | 'boolean'; readonly short?: string };

/** node:util parseArgs as every command uses it: strict, positionals allowed, plus -h/--help. */
// The return type is spelled out because the emitted .d.ts cannot name node:util's internal types.
type Parsed<O> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O & typeof HELP_FLAG }>>;
export function parseCommand<const O extends Record<string, FlagSpec>>(argv: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...options, ...HELP_FLAG } });
  } catch (err) {
    throw usageError(err, argv, Object.keys(options)) ?? err;
  }
}

/**
 * node:util's parse errors as one line with the fix: its own texts span three lines and never
 * name the flag that was meant. Undefined for an error this does not know (passed on as it is).
 */
function usageError(err: unknown, argv: readonly string[], known: readonly string[]): AtpSimError | undefined {
  const { code, message } = err as { code?: string; message?: string };
  const flag = /'(-[^' ]+)/.exec(message ?? '')?.[1];
  if (!flag) return undefined;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const near = flag.startsWith('--') ? closest(flag.slice(2), [...known, 'help']) : undefined;
    // The "Unknown option '--x'" opening is node's own, which scripts may already match.
    return new AtpSimError('INVALID_ARGUMENT', `Unknown option '${flag}' (fix: ${near ? `did you mean --${near}? ` : ''}--help lists the options)`);
  }
  if (code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return undefined;
  if (/argument is ambiguous/.test(message ?? '')) {
    // `--rounds -2`: a value that starts with a dash reads as the next flag.
    const value = argv[argv.indexOf(flag) + 1] ?? '';
    return new AtpSimError('INVALID_ARGUMENT', `${flag}: its value ${JSON.stringify(value)} starts with a dash, so it reads as a flag (fix: write ${flag}=${value} to give it as the value)`);
  }
  if (/argument missing/.test(message ?? '')) {
    return new AtpSimError('INVALID_ARGUMENT', `${flag}: needs a value (fix: write ${flag} <value>; --help describes it)`);
  }
  if (/does not take an argument/.test(message ?? '')) {
    return new AtpSimError('INVALID_ARGUMENT', `${flag} takes no value (fix: write ${flag} alone)`);
  }
  return undefined;
}

/** Access tokens from the environment: HF_TOKEN for hosted models only, a separate key for endpoints. */
export function tokensFromEnv(env: NodeJS.ProcessEnv): { token?: string; endpointKey?: string } {
  return { token: env.HF_TOKEN || undefined, endpointKey: env.ATP_SIM_ENDPOINT_KEY || env.OPENAI_API_KEY || undefined };
}

/** A price per million tokens from a flag (USD), or undefined when the flag is absent. */
export function dollars(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x < 0) {
    const fix = name.startsWith('price') ? `a plain number of US dollars per million tokens, e.g. --${name} 0.2` : `a plain number of US dollars, e.g. --${name} 5`;
    throw new AtpSimError('INVALID_ARGUMENT', `--${name}: must be a non-negative number of dollars; got "${value}" (fix: ${fix})`);
  }
  return x;
}
