/**
 * Placeholder substitution for scenario texts. Only known `{name}` placeholders are replaced, so
 * literal JSON such as `{"choice": "invest"}` passes through untouched.
 */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in vars ? vars[name] : whole));
}
