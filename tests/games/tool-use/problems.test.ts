/**
 * Problem sets of the tool-use testbed (problems.ts): the shipped set, each answer recomputed
 * here by the calculator, and bad files reported one line per problem (CLI exit 2).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calculate } from '../../../src/games/tool-use/calculator.ts';
import { checkAnswer } from '../../../src/games/tool-use/checkers.ts';
import { parseProblemLines } from '../../../src/games/tool-use/problems.ts';
import { REPO_ROOT, tempDir } from '../../helpers/paths.ts';
import { cli } from '../../helpers/cli.ts';

const SHIPPED = join(REPO_ROOT, 'scenarios/tool-use/problems.jsonl');

/** How each shipped answer is computed, written independently of the file. */
const WORK: Record<string, string> = {
  e01: '7*8', e02: '45-17', e03: '9*3', e04: '64/8', e05: '12+15', e06: '100-37', e07: '6*11', e08: '20*7', e09: '30/5', e10: '14+9',
  e11: '95-60', e12: '13*2', e13: '2*4', e14: '21*2', e15: '50-38', e16: '9*9+1', e17: '6*4', e18: '8+3', e19: '12+10', e20: '2+5',
  c01: '3847*2961', c02: 'round(12500*1.04^3*100)/100', c03: '1284*17.5*0.97', c04: '487*488/2', c05: 'round(629/(3+42/60)*100)/100',
  c06: '(347+6)*(219+6)-347*219', c07: '8*7/2+8*5', c08: '2350*6.20*0.93-2350*3.85', c09: '98765/125',
  c10: 'floor(1000/3)+floor(1000/7)-floor(1000/21)', c11: '((((8192/2+1500)/2+1500)/2+1500)/2+1500)/2+1500', c12: 'ceil(18750/(125-40))',
  c13: '(47^2-38^2)*13', c14: '14*24*30/60', c15: '23*18+3*22*23/2', c16: '9600*1.065/24', c17: '120-(75+48-20)', c18: '450*57/6',
  c19: '2400/(3*5)*7*9', c20: '101*997',
};

describe('the shipped problem set', () => {
  const { problems, issues } = parseProblemLines(readFileSync(SHIPPED, 'utf8'), 'problems.jsonl', 'game.problems');

  it('has 20 easy and 20 complex problems, all read without a problem', () => {
    expect(issues).toEqual([]);
    expect(problems.filter((p) => p.difficulty === 'easy')).toHaveLength(20);
    expect(problems.filter((p) => p.difficulty === 'complex')).toHaveLength(20);
    expect(new Set(problems.map((p) => p.id)).size).toBe(40);
  });

  it('has the right answer to every problem, recomputed here', () => {
    for (const p of problems) {
      const r = calculate(WORK[p.id]);
      expect(r.ok, p.id).toBe(true);
      expect(checkAnswer(p.checker, String((r as { value: number }).value), p.answer), `${p.id}: ${p.answer}`).toBe(true);
      expect(p.checker).toBe('numeric');
    }
  });
});

describe('a problem file', () => {
  const lines = (...xs: string[]) => xs.join('\n');
  const messages = (text: string) => parseProblemLines(text, 'set.jsonl', 'game.problems').issues.map((i) => `${i.message} (fix: ${i.fix})`);

  it('accepts hard as complex, numbers as answers, a GSM8K-style answer and the three checkers', () => {
    const { problems, issues } = parseProblemLines(
      lines(
        '{"question": "q1", "answer": 3, "difficulty": "hard"}',
        '',
        '{"question": "q2", "answer": "Natalia sold 48 / 2 = 24 clips in May.\\n#### 72", "difficulty": "easy", "id": "gsm-1"}',
        '{"question": "q3", "answer": "B", "difficulty": "easy", "checker": "choice"}',
        '{"question": "q4", "answer": "Paris", "difficulty": "easy"}',
        '{"question": "q5", "answer": "2.5", "difficulty": "easy", "tolerance": 0.1}',
      ),
      'set.jsonl',
      'game.problems',
    );
    expect(issues).toEqual([]);
    expect(problems.map((p) => [p.id, p.difficulty, p.answer, p.checker])).toEqual([
      ['line 1', 'complex', '3', 'numeric'],
      ['gsm-1', 'easy', '72', 'numeric'],
      ['line 4', 'easy', 'B', 'choice'],
      ['line 5', 'easy', 'Paris', 'exact'],
      ['line 6', 'easy', '2.5', 'numeric'],
    ]);
    expect(problems[4].tolerance).toBe(0.1);
  });

  it('checks a number written with thousands separators, a currency sign or a unicode minus as a number', () => {
    const { problems } = parseProblemLines(
      lines(
        '{"question": "q1", "answer": "Total: 500 + 500\\n#### 1,000", "difficulty": "easy"}',
        '{"question": "q2", "answer": "$12.50", "difficulty": "easy"}',
        '{"question": "q3", "answer": "−5", "difficulty": "easy"}',
        '{"question": "q4", "answer": "1e3", "difficulty": "easy"}',
      ),
      'set.jsonl',
      'game.problems',
    );
    expect(problems.map((p) => p.checker)).toEqual(['numeric', 'numeric', 'numeric', 'numeric']);
    const [thousand, price, minus] = problems;
    expect(checkAnswer(thousand.checker, '1000', thousand.answer)).toBe(true);
    expect(checkAnswer(price.checker, '12.5', price.answer)).toBe(true);
    expect(checkAnswer(minus.checker, '-5', minus.answer)).toBe(true);
  });

  it('names the file and line, the field, the value and the fix of every bad line', () => {
    expect(
      messages(
        lines(
          '{"question": "ok", "answer": "1", "difficulty": "easy"}',
          '{"question": "q", "answer": "1", "difficulty": "medium"}',
          'not json',
          '{"answer": "1", "difficulty": "easy"}',
          '{"question": "q", "difficulty": "easy"}',
          '{"question": "q", "answer": "12", "difficulty": "easy", "checker": "fuzzy"}',
          '{"question": "q", "answer": "12", "difficulty": "easy", "checker": "choice"}',
          '[1, 2]',
        ),
      ),
    ).toEqual([
      'set.jsonl:2: difficulty must be easy or complex (hard counts as complex); got "medium" (fix: add "difficulty": "easy" or "complex")',
      expect.stringMatching(/^set\.jsonl:3: the line is not valid JSON \(.+\) \(fix: write one JSON object per line\)$/),
      'set.jsonl:4: question must be a non-empty text; got nothing (fix: give the problem statement as a string)',
      'set.jsonl:5: answer must be a non-empty text or number; got nothing (fix: give the reference answer, e.g. "answer": "42")',
      'set.jsonl:6: checker must be one of exact, numeric, choice; got "fuzzy" (fix: use exact, numeric or choice, or leave it out)',
      'set.jsonl:7: answer must be one letter with the choice checker; got "12" (fix: give the letter of the right option, e.g. "B")',
      'set.jsonl:8: the line must be a JSON object {"question", "answer", "difficulty"}; got [1,2] (fix: write one problem object per line)',
    ]);
  });

  it('stops the CLI with exit 2 and one line per bad problem, writing nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.jsonl'), lines('{"question": "2 + 2?", "answer": "4", "difficulty": "easy"}', '{"question": "x", "answer": "5", "difficulty": "medium"}'));
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'name: bad\nkind: tool-use\nrounds: 2\npopulation: { size: 2, policy: imitate-best }\ngame: { problems: bad.jsonl, steps: { easy: 1, complex: 0 } }\n');
    const out = join(dir, 'runs');
    const r = await cli(['run', scenario, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`game.problems: bad.jsonl:2: difficulty must be easy or complex (hard counts as complex); got "medium"`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1); // the one bad line, naming the scenario
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('says which file it cannot read', async () => {
    const dir = tempDir();
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, 'name: bad\nkind: tool-use\ngame: { problems: missing.jsonl }\n');
    const r = await cli(['run', scenario, '--out', join(dir, 'runs')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('game.problems: cannot read missing.jsonl: ENOENT');
  });
});
