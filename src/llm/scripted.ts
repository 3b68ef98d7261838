/**
 * The `scripted` backend, for tests and golden replays: replies chosen by (round, agent) from
 * `request.origin`, either by a function or from data (`rounds[round - 1][agent]`), with every
 * call recorded for assertions.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { AtpSimError, describeValue, throwIfIssues } from '../core/errors.ts';
import type { Issue } from '../core/errors.ts';
import type { CallOrigin, CompletionRequest, CompletionResult, LanguageModel } from '../core/types.ts';
import { estimatePromptTokens, estimateTokens } from './tokens.ts';

/** Replies by origin; may return the text alone or a full result (finish reason, usage, ...). */
export type ScriptFunction = (
  origin: CallOrigin,
  request: CompletionRequest,
) => string | CompletionResult | Promise<string | CompletionResult>;

/** `rounds[round - 1][agent]` is the reply; `default` answers anything not listed. */
export interface ScriptData {
  readonly rounds: readonly (readonly string[])[];
  readonly default?: string;
}

export type ScriptSource = ScriptFunction | ScriptData;

export interface ScriptedCall {
  readonly origin: CallOrigin;
  readonly request: CompletionRequest;
}

export interface ScriptedModel extends LanguageModel {
  /** Every call in arrival order. */
  readonly calls: ScriptedCall[];
}

/** A text reply as a result: `stop`, with usage estimated by ceil(chars / 4). */
function textResult(text: string, request: CompletionRequest): CompletionResult {
  return {
    text,
    finishReason: 'stop',
    usage: { promptTokens: estimatePromptTokens(request), completionTokens: estimateTokens(text), estimated: true },
  };
}

function replyFromData(data: ScriptData, origin: CallOrigin, name: string): string {
  const reply = data.rounds[origin.round - 1]?.[origin.agent];
  if (reply !== undefined) return reply;
  if (data.default !== undefined) return data.default;
  const inRound = data.rounds[origin.round - 1];
  const has = inRound
    ? `round ${origin.round} has replies for agents 0..${inRound.length - 1}`
    : `the script has ${data.rounds.length} round(s)`;
  throw new AtpSimError(
    'INVALID_ARGUMENT',
    `scripted model ${name}: no reply for round ${origin.round} agent ${origin.agent} (${has}). ` +
      `Fix: add rounds[${origin.round - 1}][${origin.agent}] to the script, or a "default" reply.`,
  );
}

/** A model that answers from a script. `name` appears in its id and errors. */
export function scriptedModel(source: ScriptSource, name = 'script'): ScriptedModel {
  const calls: ScriptedCall[] = [];
  return {
    id: `scripted:${name}`,
    calls,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const origin = request.origin;
      if (!origin) {
        throw new AtpSimError(
          'INVALID_ARGUMENT',
          `scripted model ${name}: the request has no origin, so there is no (round, agent) to answer for. ` +
            'Fix: set request.origin.',
        );
      }
      calls.push({ origin, request });
      const reply = typeof source === 'function' ? await source(origin, request) : replyFromData(source, origin, name);
      return typeof reply === 'string' ? textResult(reply, request) : reply;
    },
  };
}

/** Problems with script data, each located by path (`rounds[1][3]`). */
export function checkScript(data: unknown): Issue[] {
  const issues: Issue[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return [{ path: '', message: `must be an object { rounds: string[][], default?: string }; got ${describeValue(data)}` }];
  }
  const { rounds, default: fallback } = data as { rounds?: unknown; default?: unknown };
  if (!Array.isArray(rounds)) {
    issues.push({ path: 'rounds', message: `must be a list of rounds, each a list of replies by agent; got ${describeValue(rounds)}` });
  } else {
    rounds.forEach((round, r) => {
      if (!Array.isArray(round)) {
        issues.push({ path: `rounds[${r}]`, message: `must be a list of replies (one per agent); got ${describeValue(round)}` });
        return;
      }
      round.forEach((reply, a) => {
        if (typeof reply !== 'string') {
          issues.push({ path: `rounds[${r}][${a}]`, message: `must be a string reply; got ${describeValue(reply)}`, fix: 'quote the reply' });
        }
      });
    });
  }
  if (fallback !== undefined && typeof fallback !== 'string') {
    issues.push({ path: 'default', message: `must be a string reply; got ${describeValue(fallback)}` });
  }
  return issues;
}

/** Reads a script (JSON, or YAML for .yaml / .yml) and checks its shape. */
export function loadScript(path: string): ScriptData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AtpSimError('FILE_NOT_FOUND', `loadScript: cannot read the script ${path}: ${(err as Error).message}. Fix: check the path after scripted:.`, [], {
      cause: err,
    });
  }
  let data: unknown;
  try {
    const ext = extname(path).toLowerCase();
    data = ext === '.yaml' || ext === '.yml' ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new AtpSimError('INVALID_ARGUMENT', `loadScript: ${path} is not valid ${extname(path) || 'JSON'}: ${(err as Error).message}`, [], {
      cause: err,
    });
  }
  throwIfIssues(checkScript(data), 'INVALID_ARGUMENT', 'loadScript: invalid script', path);
  return data as ScriptData;
}
