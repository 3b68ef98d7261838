/**
 * Typed errors that teach: every error names what was wrong, where, what was received, and the fix.
 */

/** One problem found while validating input, located by a dotted path (`payoff.threshold`). */
export interface Issue {
  readonly path: string;
  readonly message: string;
  /** Optional hint on how to fix it. */
  readonly fix?: string;
}

export function formatIssue(issue: Issue, source?: string): string {
  const where = source ? `${source}: ` : '';
  const fix = issue.fix ? ` (fix: ${issue.fix})` : '';
  return `${where}${issue.path || '<root>'}: ${issue.message}${fix}`;
}

export type ErrorCode =
  | 'INVALID_SCENARIO'
  | 'INVALID_NETWORK'
  | 'INVALID_ARGUMENT'
  | 'FILE_NOT_FOUND'
  | 'MODEL_CALL_FAILED'
  | 'MODEL_REPLY_INVALID'
  | 'REPLAY_MISS'
  | 'BUDGET_EXHAUSTED'
  | 'FAILURE_RATE_EXCEEDED'
  | 'RUN_DIR_CONFLICT'
  /** A file atp-sim wrote was damaged afterwards (cut off, edited): the message names it. */
  | 'CORRUPT_FILE'
  | 'CACHE_LOCKED'
  | 'ABORTED'
  | 'INTERNAL';

export class AtpSimError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];
  constructor(code: ErrorCode, message: string, issues: readonly Issue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AtpSimError';
    this.code = code;
    this.issues = issues;
  }
}

/**
 * Throws an INVALID_* error listing every issue (one line each) when the list is not empty.
 * One issue is one line: it names the file itself, so a header that only counted it to 1 was a
 * second line to read past (`x.yaml has problems: 1 problem(s)`).
 */
export function throwIfIssues(
  issues: readonly Issue[],
  code: ErrorCode,
  what: string,
  source?: string,
): void {
  if (issues.length === 0) return;
  if (issues.length === 1) {
    throw new AtpSimError(code, source ? formatIssue(issues[0], source) : `${what}: ${formatIssue(issues[0])}`, issues);
  }
  const lines = issues.map((i) => formatIssue(i, source));
  throw new AtpSimError(code, `${what}: ${issues.length} problem(s)\n${lines.join('\n')}`, issues);
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'nothing';
  // JSON would show NaN and Infinity as null, and a function as nothing.
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}
