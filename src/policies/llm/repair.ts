/** The one repair prompt sent when a reply cannot be read (then the reply is recorded as invalid). */
export const REPAIR_PROMPT = 'Your previous answer could not be read. Reply with only the JSON object for your final decision: {"choice": "<one of the options>"}';
