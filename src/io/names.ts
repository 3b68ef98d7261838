/**
 * Names that become folder names (run ids, scenario and sweep names). `name: ../../evil/x` or
 * `--id ../../evil2` wrote outside --out, and a 300-character name ended in a raw ENAMETOOLONG
 * stack trace (issues 9 item 11, 10 item 15): a name is one path segment of safe characters.
 */
import { AtpSimError, describeValue, type ErrorCode } from '../core/errors.ts';

/** Letters, digits, `.`, `_`, `-`; not starting with `.` or `-` (no `..`, no hidden folders, no flags). */
const SAFE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Short enough for any file system (255 bytes) with the suffixes atp-sim adds (-s<seed>-<time>-k). */
export const MAX_NAME_LENGTH = 100;

/** Why `value` cannot be a folder name, or null when it can. */
export function folderNameProblem(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return `must be a non-empty folder name; got ${describeValue(value)}`;
  if (value.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters (it names a folder); got ${value.length} characters`;
  if (!SAFE.test(value)) return `must be a folder name of letters, digits, . _ - (no / or ..); got ${describeValue(value)}`;
  return null;
}

/** Throws `code` naming `field` when `value` cannot be a folder name. */
export function checkFolderName(value: unknown, field: string, code: ErrorCode = 'INVALID_ARGUMENT', example = 'my-run-1'): void {
  const problem = folderNameProblem(value);
  if (problem) throw new AtpSimError(code, `${field}: ${problem} (fix: e.g. ${example})`);
}
