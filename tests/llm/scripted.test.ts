import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScript, scriptedModel } from '../../src/llm/scripted.ts';
import { estimateTokens } from '../../src/llm/tokens.ts';
import { rejection, sampleRequest } from './fixtures.ts';

const at = (round: number, agent: number) => sampleRequest({ origin: { round, agent } });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'atp-script-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('scriptedModel', () => {
  it('answers rounds[round - 1][agent] and records every call', async () => {
    const model = scriptedModel({ rounds: [['A', 'B'], ['C', 'D']] });
    expect((await model.complete(at(1, 1))).text).toBe('B');
    expect((await model.complete(at(2, 0))).text).toBe('C');
    expect(model.calls.map((c) => c.origin)).toEqual([
      { round: 1, agent: 1 },
      { round: 2, agent: 0 },
    ]);
    expect(model.calls[0].request.messages).toEqual(at(1, 1).messages);
  });

  it('reports a text reply as a normal stop with estimated usage', async () => {
    const result = await scriptedModel({ rounds: [['choice: A']] }).complete(at(1, 0));
    expect(result).toEqual({
      text: 'choice: A',
      finishReason: 'stop',
      usage: {
        promptTokens: estimateTokens('You are agent 3.') + estimateTokens('Choose A or B.'),
        completionTokens: estimateTokens('choice: A'),
        estimated: true,
      },
    });
  });

  it('falls back to the default reply', async () => {
    const model = scriptedModel({ rounds: [['A']], default: 'Z' });
    expect((await model.complete(at(5, 7))).text).toBe('Z');
  });

  it('names the round and agent of a missing reply', async () => {
    const model = scriptedModel({ rounds: [['A', 'B']] }, 'golden.json');
    const inRound = await rejection(model.complete(at(1, 4)));
    expect(inRound.code).toBe('INVALID_ARGUMENT');
    expect(inRound.message).toContain('no reply for round 1 agent 4');
    expect(inRound.message).toContain('golden.json');
    expect(inRound.message).toContain('rounds[0][4]');
    const pastEnd = await rejection(model.complete(at(3, 0)));
    expect(pastEnd.message).toMatch(/round 3 agent 0 \(the script has 1 round\(s\)\)/);
  });

  it('asks a function for the reply, which may return a whole result', async () => {
    const model = scriptedModel((origin, request) =>
      origin.agent === 0 ? `r${origin.round}: ${request.messages.length}` : { text: '', finishReason: 'length' },
    );
    expect((await model.complete(at(2, 0))).text).toBe('r2: 2');
    expect(await model.complete(at(2, 1))).toEqual({ text: '', finishReason: 'length' });
  });

  it('refuses a call without an origin', async () => {
    await expect(scriptedModel({ rounds: [] }).complete(sampleRequest({ origin: undefined }))).rejects.toThrow(/no origin/);
  });
});

describe('loadScript', () => {
  it('reads JSON', () => {
    const path = join(dir, 's.json');
    writeFileSync(path, JSON.stringify({ rounds: [['A']], default: 'B' }));
    expect(loadScript(path)).toEqual({ rounds: [['A']], default: 'B' });
  });

  it('reads YAML', () => {
    const path = join(dir, 's.yaml');
    writeFileSync(path, 'rounds:\n  - ["A", "B"]\n  - ["C"]\n');
    expect(loadScript(path)).toEqual({ rounds: [['A', 'B'], ['C']] });
  });

  it('lists every problem with its path', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ rounds: [['A', 3], 'B'], default: 1 }));
    expect(() => loadScript(path)).toThrow(/3 problem\(s\)[\s\S]*rounds\[0\]\[1\][\s\S]*rounds\[1\][\s\S]*default/);
  });

  it('says which file is missing or unreadable', () => {
    expect(() => loadScript(join(dir, 'none.json'))).toThrow(/cannot read the script .*none\.json/);
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ rounds: ');
    expect(() => loadScript(path)).toThrow(/broken\.json is not valid/);
  });
});
