/**
 * Answer checking: is an agent's answer the reference answer? Three checkers, chosen per
 * problem: `exact` (text, ignoring case, surrounding space, quotes and a final full stop),
 * `numeric` (the last number in the answer within a tolerance of the reference) and `choice`
 * (a multiple-choice letter). Answers come from model replies, so reading them is tolerant.
 */

export const CHECKERS = ['exact', 'numeric', 'choice'] as const;
export type CheckerName = (typeof CHECKERS)[number];

/** Default absolute tolerance of the numeric checker. */
export const DEFAULT_TOLERANCE = 1e-6;

/** Text as the exact checker compares it. */
export function normalizeText(s: string): string {
  return s
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .replace(/\.$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * The number an answer gives: the whole answer when it is a fraction ("3/4"), else the last
 * number in it ("The answer is 1,250." -> 1250); NaN when none. An expression is not worked out
 * ("3847 * 2961" reads 2961): evaluating it made a direct answer as good as the calculator at
 * the direct answer's cost, erasing the difference the testbed measures.
 * A unicode minus (and an en dash standing before a number) is a minus.
 */
export function readNumber(text: string): number {
  // Models and typeset datasets write the minus sign as U+2212, or as an en dash before a number;
  // left alone, "−5" read as 5 and was checked right against 5 (a dash between numbers is a range).
  const answer = text.replace(/\u2212/g, '-').replace(/(?<![\w.])\u2013(?=\.?\d)/g, '-');
  const plain = answer.trim().replace(/^\$|%$/g, '');
  const fraction = /^(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)$/.exec(plain);
  if (fraction && Number(fraction[2]) !== 0) return Number(fraction[1]) / Number(fraction[2]);
  // A whole answer grouped by spaces ("1 000", SI style) is one number, not its last group (0).
  if (/^-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:\.\d+)?$/.test(plain)) return Number(plain.replace(/[ \u00a0\u202f]/g, ''));
  const hits = [...answer.matchAll(/-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d*\.?\d+(?:[eE][+-]?\d+)?/g)];
  if (hits.length === 0) return NaN;
  return Number(hits[hits.length - 1][0].replace(/,/g, ''));
}

/**
 * Whether a reference answer is one number ("72", "-3.5", "1,000", "$12.50", "1e3", "−5", "40%"):
 * such a problem gets the numeric checker by default. Reading only plain digits sent "#### 1,000"
 * and "$12.50" to the exact checker, which refused the model's "1000" and "12.5".
 */
export function isNumberAnswer(answer: string): boolean {
  return /^[-\u2212]?\$?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?$/.test(answer.trim());
}

/** The letter an answer picks ("B", "(b)", "B) 42", "Option C", "answer: D"), upper case; null when none. */
export function readLetter(answer: string): string | null {
  const s = answer.trim();
  // A letter standing alone or marked ("B", "(b)", "B) 42", "C.") wins; a letter followed only by a
  // space comes after a named one, since "I think the answer is B" and "A good choice is C" open
  // with a pronoun or an article, not the letter picked.
  const marked = /^(?:\(([A-Za-z])\)|([A-Za-z])(?:$|[.):,]))/.exec(s);
  if (marked) return (marked[1] ?? marked[2]).toUpperCase();
  const named = /\b(?:option|answer|choice)\s*(?:is)?\s*:?\s*\(?([A-Za-z])\)?(?:$|[\s.):,])/i.exec(s);
  if (named) return named[1].toUpperCase();
  const lead = /^([A-Za-z])\s/.exec(s);
  if (lead) return lead[1].toUpperCase();
  // A capital letter standing as the last word ("It is B.", "... is (C)"): read nothing before.
  const last = /(?:^|[\s(])([A-Z])\)?[.!]?$/.exec(s);
  return last ? last[1] : null;
}

/** Whether `answer` matches the reference under `checker`. */
export function checkAnswer(checker: CheckerName, answer: string, reference: string, tolerance = DEFAULT_TOLERANCE): boolean {
  switch (checker) {
    case 'exact':
      return normalizeText(answer) === normalizeText(reference);
    case 'numeric': {
      const x = readNumber(answer);
      const ref = readNumber(reference);
      return Number.isFinite(x) && Math.abs(x - ref) <= tolerance;
    }
    case 'choice': {
      const got = readLetter(answer);
      return got !== null && got === readLetter(reference);
    }
  }
}
