/**
 * HTML escaping for the report, safe by default: the `html` template tag escapes everything it
 * interpolates (labels, params, prompts, replies, option names, titles) unless the value is
 * already `Markup`, i.e. built by `html` itself or explicitly trusted with `trusted` (used only
 * for SVG that Vega or our own drawing code produced, whose text Vega escapes itself).
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes `& < > " '` so the text is safe both as element content and inside a quoted
 * attribute value. Non-strings are converted with `String` first (null and undefined give '').
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A fragment of HTML that is already safe to insert. */
export interface Markup {
  readonly markup: string;
}

function isMarkup(value: unknown): value is Markup {
  return typeof value === 'object' && value !== null && MARKUPS.has(value);
}

// Only objects made here count as markup: a data object shaped like { markup: '<script>' }
// is escaped like any other value.
const MARKUPS = new WeakSet<object>();

function markup(text: string): Markup {
  const m = { markup: text };
  MARKUPS.add(m);
  return Object.freeze(m);
}

/** Marks a string produced by trusted code (not by data) as markup. */
export function trusted(text: string): Markup {
  return markup(text);
}

function render(value: unknown): string {
  if (isMarkup(value)) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === false) return '';
  return escapeHtml(value);
}

/**
 * Template tag: literal parts are trusted markup; interpolated values are escaped unless they
 * are Markup; arrays are concatenated element by element; null, undefined and false give ''.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Markup {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return markup(out);
}
