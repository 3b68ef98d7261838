/** The JSON schema of a reply (`response_format`, and the local backend's grammar). */
export function choiceSchema(options: readonly string[], extra: Record<string, unknown> = {}): { name: string; schema: Record<string, unknown> } {
  return {
    name: 'decision',
    schema: { type: 'object', properties: { choice: { type: 'string', enum: [...options] }, ...extra }, required: ['choice'], additionalProperties: false },
  };
}
