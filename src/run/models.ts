/**
 * Models of LLM policy groups that name their own (mixed-model populations): one model per
 * (name, endpoint, provider), built like the run's own (same decoding settings, limiter, shared
 * call counters and response cache: the cache key includes the model, so each model's replies
 * stay its own), and wrapped for replay and resume like it.
 */
import type { LanguageModel } from '../core/types.ts';
import { AtpSimError } from '../core/errors.ts';
import type { GroupModel } from '../core/scenario.ts';
import { createModel, parseModelArg, usesEndpoints, type CreateModelOptions, type ModelSettings } from '../llm/index.ts';

export interface GroupModels {
  readonly modelFor: (model: GroupModel) => LanguageModel;
  close(): Promise<void>;
}

/**
 * `base`: the run's model settings (null: a ready or replayed model, then `fallback` answers);
 * `wrap`: applied to each model built (replay of recorded rounds on resume).
 */
export function groupModels(
  base: ModelSettings | null,
  options: CreateModelOptions & { readonly endpointKey?: string },
  fallback: LanguageModel | null,
  wrap: (m: LanguageModel) => LanguageModel,
): GroupModels {
  const built = new Map<string, LanguageModel>();
  return {
    modelFor(m) {
      const key = JSON.stringify([m.name, m.endpoint, m.provider]);
      let model = built.get(key);
      if (!model) {
        if (!base) {
          if (!fallback) throw new AtpSimError('INVALID_ARGUMENT', `policy.model: the group's model ${m.name} cannot be built without the run's model settings (fix: pass --model, or set model.name in the scenario)`);
          model = fallback;
        } else {
          const own = parseModelArg(m.name, m.endpoint, m.provider);
          // Where the run's model is served does not carry over: the group names its own server
          // (endpoint), or its provider (default auto), like the scenario's own model.name.
          const where = { endpointUrl: undefined, endpoints: undefined, provider: undefined, script: undefined };
          const settings: ModelSettings = { ...base, ...where, ...own, ...(own.backend === 'hf' && !m.endpoint ? { provider: m.provider ?? 'auto' } : {}) };
          // The run's shared server pool (sweeps) serves the run's model, not this one.
          const { endpointKey, pool: _pool, ...create } = options;
          model = wrap(createModel(settings, { ...create, token: usesEndpoints(settings) ? endpointKey : options.token }));
        }
        built.set(key, model);
      }
      return model;
    },
    async close() {
      for (const m of new Set(built.values())) if (m !== fallback) await m.close?.();
    },
  };
}
