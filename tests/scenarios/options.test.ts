import { describe, expect, it } from 'vitest';
import { checkScenario } from '../../src/scenarios/parse.ts';
import { dilemmaScenario, thresholdScenario } from '../helpers/scenarios.ts';

const withOptions = (options: Record<string, string>) =>
  checkScenario(thresholdScenario({ game: { ...(thresholdScenario().game as object), options } })).issues;

describe('option names that would break the {"choice": "..."} answer format', () => {
  it('a double quote in an option is refused, naming the field and the fix', () => {
    const issues = withOptions({ collective: 'say "yes"', independent: 'no' });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('game.options.collective');
    expect(issues[0].message).toContain('a double quote');
    expect(issues[0].fix).toContain('no quotes, backslashes or line breaks');
  });

  it('a backslash or a control character in an option is refused', () => {
    expect(withOptions({ collective: 'yes', independent: 'no\\way' })[0].message).toContain('a backslash');
    expect(withOptions({ collective: 'yes\nplease', independent: 'no' })[0].message).toContain('control character (U+000A)');
  });

  it('an option that is the start of the other is refused, ignoring case and surrounding spaces', () => {
    const issues = withOptions({ collective: 'Keep ', independent: 'keep money' });
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('game.options');
    expect(issues[0].message).toContain('is the start of option "keep money"');
  });

  it('the same holds in the supervision dilemma', () => {
    const raw = dilemmaScenario({ game: { ...(dilemmaScenario().game as object), options: { compliant: 'Route A', violating: 'route a2' } } });
    expect(checkScenario(raw).issues[0].message).toContain('is the start of');
  });

  it('ordinary options pass', () => {
    expect(withOptions({ collective: 'invest', independent: 'keep money' })).toEqual([]);
  });
});
