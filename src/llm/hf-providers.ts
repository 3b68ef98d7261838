/**
 * The provider names and policies @huggingface/inference 4.13.30 accepts (its
 * `PROVIDERS_OR_POLICIES`), copied so that checking `--provider` does not load the client: the
 * client is ~70 ms of CPU at start-up (bench: CLI start-up) and is loaded only for hosted calls.
 * tests/llm/hf-providers.test.ts fails if the package's list and this one differ.
 */
export const PROVIDERS_OR_POLICIES = [
  'baseten',
  'cerebras',
  'cohere',
  'deepinfra',
  'fal-ai',
  'featherless-ai',
  'fireworks-ai',
  'groq',
  'hf-inference',
  'novita',
  'nscale',
  'openai',
  'ovhcloud',
  'publicai',
  'replicate',
  'scaleway',
  'together',
  'wavespeed',
  'zai-org',
  'auto',
] as const;
