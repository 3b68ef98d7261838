/**
 * Parameter checks shared by the generators and the spec parser, so a bad value gets the same
 * message whether it comes from a scenario file, the CLI or a direct call.
 */
import { describeValue, type Issue } from '../../core/errors.ts';
import { MAX_EDGES } from '../csr.ts';

export type Issues = Issue[];

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** Integer in [min, max]; pushes an issue and returns false otherwise. */
export function checkInt(
  issues: Issues,
  path: string,
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  fix?: string,
): boolean {
  if (Number.isInteger(value) && value >= min && value <= max) return true;
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  issues.push({ path: join(path, name), message: `must be ${range}; got ${describeValue(value)}`, fix });
  return false;
}

/** Probability in [0, 1]. */
export function checkProbability(issues: Issues, path: string, name: string, value: number, fix?: string): boolean {
  if (Number.isFinite(value) && value >= 0 && value <= 1) return true;
  issues.push({ path: join(path, name), message: `must be in [0, 1]; got ${describeValue(value)}`, fix });
  return false;
}

/** Every network has at least two agents. */
export function checkNodeCount(issues: Issues, path: string, n: number): boolean {
  return checkInt(issues, path, 'n', n, 2, 2 ** 31 - 2, 'a network needs at least 2 agents');
}

/** The CSR keeps 2·edges entries in an Int32Array. */
export function checkEdgeBudget(issues: Issues, path: string, edges: number): boolean {
  if (edges <= MAX_EDGES) return true;
  issues.push({
    path,
    message: `this graph would have about ${Math.round(edges).toLocaleString('en-US')} edges; at most ${MAX_EDGES.toLocaleString('en-US')} fit`,
    fix: 'use fewer nodes or a lower density',
  });
  return false;
}
