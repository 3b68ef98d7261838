/**
 * A stand-in for an LLM that decides by a known logistic rule, read only from the `network`
 * prompt it is sent: its own last choice, the share of neighbours that violated and how many
 * of them the prompt flags as rewarded. The uniform draw comes from the request's seed, so a
 * rerun gives the same replies. Used to check that `atp-sim fit` recovers the rule.
 */
import { rngStream } from '../../src/core/rng.ts';
import type { ChatBody } from './openai-server.ts';

export interface LogisticRule {
  readonly intercept: number;
  readonly ownViolated: number;
  readonly violatingShare: number;
  readonly rewardedViolators: number;
}

/** What the rule reads from the last remembered round of a prompt; null before any round. */
export function readPrompt(text: string, violation: string): { own: number; share: number; rewarded: number } | null {
  const blocks = text.split(/\n(?=Round \d+: you chose )/);
  if (blocks.length < 2) return null;
  const last = blocks[blocks.length - 1].split('\n\nWhat do you choose')[0];
  const lines = last.split('\n');
  const own = lines[0].startsWith(`Round `) && lines[0].includes(`you chose "${violation}"`) ? 1 : 0;
  const peers = lines.filter((l) => l.startsWith('  - Agent '));
  const violating = peers.filter((l) => l.includes(`chose "${violation}"`));
  const rewarded = violating.filter((l) => l.includes('(a rewarded violation)')).length;
  return { own, share: peers.length ? violating.length / peers.length : 0, rewarded };
}

/** A reply function for startOpenAiServer: comply in round 1, then the rule. */
export function ruleReply(rule: LogisticRule, violation: string, comply: string): (body: ChatBody) => string {
  return (body) => {
    const seen = readPrompt(body.messages[body.messages.length - 1].content, violation);
    if (!seen) return `{"choice": "${comply}"}`;
    const eta = rule.intercept + rule.ownViolated * seen.own + rule.violatingShare * seen.share + rule.rewardedViolators * seen.rewarded;
    const u = rngStream(Number(body.seed ?? 0), 'rule-agent')();
    return `{"choice": "${u < 1 / (1 + Math.exp(-eta)) ? violation : comply}"}`;
  };
}
