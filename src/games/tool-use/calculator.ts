/**
 * The built-in calculator tool: a small recursive-descent evaluator for arithmetic expressions
 * (never `eval` or `Function`: the expression comes from a model's reply). It knows numbers
 * (with decimals, exponents and thousands separators), + - * / % ^ (also written **), percent
 * (4%), parentheses, unary signs and a few functions (sqrt, abs, floor, ceil, round, min, max). Anything else, a division by zero or a
 * result that is not a finite number is an invalid tool result, returned as data, never thrown.
 *
 * Precedence, tightest first: function calls and parentheses; a percent sign; ^ (right-associative, binding
 * tighter than a unary sign on its left, so -2^2 = -4 as in mathematics); unary + -; * / %; + -.
 */

export type CalcResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly error: string };

/** Longest expression accepted (a tool call, not a program). */
export const MAX_EXPRESSION_CHARS = 500;
/** Deepest nesting accepted (keeps the recursion far from the stack's limit). */
const MAX_DEPTH = 64;

const FUNCTIONS: Readonly<Record<string, { readonly arity: readonly [number, number]; readonly f: (...xs: number[]) => number }>> = {
  sqrt: { arity: [1, 1], f: Math.sqrt },
  abs: { arity: [1, 1], f: Math.abs },
  floor: { arity: [1, 1], f: Math.floor },
  ceil: { arity: [1, 1], f: Math.ceil },
  round: { arity: [1, 1], f: Math.round },
  min: { arity: [1, 16], f: Math.min },
  max: { arity: [1, 16], f: Math.max },
};

type Token = { readonly t: 'num'; readonly v: number } | { readonly t: 'op'; readonly v: string } | { readonly t: 'name'; readonly v: string };

class CalcError extends Error {}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  // Per open parenthesis: does it open a function call (where a comma separates arguments)?
  const calls: boolean[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // Thousands separators ("3,847 * 2,961", as problems write numbers) outside a function's
    // argument list: refusing them failed right tool calls, biasing tool use down.
    const grouped = calls.at(-1) ? null : /^\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d*)?(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    const num = grouped ?? /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[0].replace(/,/g, '')) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_]\w*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0].toLowerCase() });
      i += name[0].length;
      continue;
    }
    if (src.startsWith('**', i)) {
      out.push({ t: 'op', v: '^' });
      i += 2;
      continue;
    }
    // Models write × · ÷ and the minus sign − as often as * / and -.
    const op = c === '×' || c === '\u00b7' ? '*' : c === '÷' ? '/' : c === '\u2212' ? '-' : c;
    if ('+-*/%^(),'.includes(op)) {
      if (op === '(') calls.push(out.at(-1)?.t === 'name');
      if (op === ')') calls.pop();
      out.push({ t: 'op', v: op });
      i++;
      continue;
    }
    throw new CalcError(`unexpected character "${c}" at position ${i + 1}`);
  }
  return out;
}

/** Evaluates an arithmetic expression; an error is a result, not an exception. */
export function calculate(expression: string): CalcResult {
  if (expression.length > MAX_EXPRESSION_CHARS) return { ok: false, error: `expression longer than ${MAX_EXPRESSION_CHARS} characters` };
  try {
    const tokens = tokenize(expression);
    if (tokens.length === 0) return { ok: false, error: 'empty expression' };
    const p = new Parser(tokens);
    const value = p.expression(0);
    if (p.pos < tokens.length) throw new CalcError(`unexpected "${String(tokens[p.pos].v)}" after a complete expression`);
    if (!Number.isFinite(value)) return { ok: false, error: 'the result is not a finite number' };
    return { ok: true, value };
  } catch (err) {
    if (err instanceof CalcError) return { ok: false, error: err.message };
    throw err;
  }
}

class Parser {
  pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new CalcError(`expected "${v}"${this.peek() ? ` before "${String(this.peek()!.v)}"` : ' at the end'}`);
    this.pos++;
  }

  /** sum := product (('+' | '-') product)* */
  expression(depth: number): number {
    if (depth > MAX_DEPTH) throw new CalcError('expression nested too deeply');
    let x = this.product(depth);
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.tokens[this.pos++] as { v: string }).v;
      const y = this.product(depth);
      x = op === '+' ? x + y : x - y;
    }
    return x;
  }

  /** product := unary (('*' | '/' | '%') unary)* */
  private product(depth: number): number {
    let x = this.unary(depth);
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.tokens[this.pos++] as { v: string }).v;
      const y = this.unary(depth);
      if ((op === '/' || op === '%') && y === 0) throw new CalcError('division by zero');
      x = op === '*' ? x * y : op === '/' ? x / y : x % y;
    }
    return x;
  }

  /** unary := ('+' | '-') unary | power */
  private unary(depth: number): number {
    if (this.isOp('-') || this.isOp('+')) {
      const neg = this.isOp('-');
      this.pos++;
      if (depth > MAX_DEPTH) throw new CalcError('expression nested too deeply');
      const x = this.unary(depth + 1);
      return neg ? -x : x;
    }
    return this.power(depth);
  }

  /**
   * A % that ends an operand (followed by nothing, a closing parenthesis, a comma or an operator)
   * is percent: "12500 * (1 + 4%)^3" was an error and "100 * 4% + 3" the remainder 400 % 3.
   * Between two operands ("17 % 5") it stays the remainder.
   */
  private isPercent(): boolean {
    if (!this.isOp('%')) return false;
    const next = this.tokens[this.pos + 1];
    return next === undefined || (next.t === 'op' && '),+-*/^%'.includes(next.v));
  }

  /** power := atom '%'? ('^' unary)?  (right-associative: 2^3^2 = 2^9) */
  private power(depth: number): number {
    let base = this.atom(depth);
    if (this.isPercent()) (this.pos++, (base /= 100));
    if (!this.isOp('^')) return base;
    this.pos++;
    return base ** this.unary(depth + 1);
  }

  /** atom := number | '(' sum ')' | name '(' sum (',' sum)* ')' */
  private atom(depth: number): number {
    const t = this.peek();
    if (t === undefined) throw new CalcError('the expression ends too early');
    if (t.t === 'num') {
      this.pos++;
      return t.v;
    }
    if (t.t === 'name') {
      const fn = FUNCTIONS[t.v];
      if (!fn) throw new CalcError(`unknown name "${t.v}" (known: ${Object.keys(FUNCTIONS).join(', ')})`);
      this.pos++;
      this.expect('(');
      const args = [this.expression(depth + 1)];
      while (this.isOp(',')) (this.pos++, args.push(this.expression(depth + 1)));
      this.expect(')');
      const [lo, hi] = fn.arity;
      if (args.length < lo || args.length > hi) throw new CalcError(`${t.v} takes ${lo === hi ? lo : `${lo} to ${hi}`} argument(s); got ${args.length}`);
      return fn.f(...args);
    }
    if (t.v === '(') {
      this.pos++;
      const x = this.expression(depth + 1);
      this.expect(')');
      return x;
    }
    throw new CalcError(`unexpected "${t.v}"`);
  }
}
