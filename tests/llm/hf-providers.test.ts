import { PROVIDERS_OR_POLICIES as fromClient } from '@huggingface/inference';
import { describe, expect, it } from 'vitest';
import { PROVIDERS_OR_POLICIES } from '../../src/llm/hf-providers.ts';

describe('the provider list checked without loading the HF client', () => {
  it('is the one the installed @huggingface/inference accepts', () => {
    expect([...PROVIDERS_OR_POLICIES]).toEqual([...fromClient]);
  });
});
