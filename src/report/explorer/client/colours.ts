/** Colours of choices (Okabe-Ito-like, distinguishable in the common colour-blindness types). */
export const VIOLATION = '#d62728';
export const COMPLIANCE = '#1f77b4';
export const INVALID = '#7f7f7f';
export const UNRECORDED = '#d9d9d9';
export const FADED = '#ececec';
export const EDGE = '#9a9a9a';

/** Colour of a choice code (option index, -1 invalid, -2 not recorded). */
export function choiceColour(code: number, violationIndex: number): string {
  if (code === -1) return INVALID;
  if (code < 0) return UNRECORDED;
  return code === violationIndex ? VIOLATION : COMPLIANCE;
}
