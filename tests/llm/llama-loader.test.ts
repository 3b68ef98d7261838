import { describe, expect, it } from 'vitest';
import { AtpSimError } from '../../src/core/errors.ts';
import { loadNodeLlamaCpp, NODE_LLAMA_CPP_INSTALL } from '../../src/llm/llama-loader.ts';

describe('loading node-llama-cpp (an optional peer dependency)', () => {
  it('loads the installed package on first use', async () => {
    const mod = await loadNodeLlamaCpp();
    expect(typeof mod.getLlama).toBe('function');
  });

  it('turns a missing install into one line naming the install command', async () => {
    const err = await loadNodeLlamaCpp('node-llama-cpp-not-installed').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtpSimError);
    expect((err as AtpSimError).code).toBe('INVALID_ARGUMENT');
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).toContain(`fix: ${NODE_LLAMA_CPP_INSTALL}`);
  });
});
