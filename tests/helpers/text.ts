/** Reading a command's printed output in tests. */
import { expect } from 'vitest';

/** `s` as a regular expression matching itself (model ids hold dots, colons and slashes). */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first line of `text` matching `start`; fails the test, naming the pattern, when none does. */
export function lineMatching(text: string, start: RegExp): string {
  const l = text.split('\n').find((x) => start.test(x));
  expect(l, `a line matching ${start}`).toBeDefined();
  return l!;
}
