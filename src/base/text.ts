/** Small pieces of English every message shares, so that none says "1 URLs" or ends "..". */

/** `1 URL`, `2 URLs`, `0 URLs`; `plural` where adding an s is wrong (`1 entry`, `2 entries`). */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** The noun alone, for a number written elsewhere: `URL` for 1, `URLs` otherwise. */
export function noun(n: number, singular: string, plural = `${singular}s`): string {
  return n === 1 ? singular : plural;
}

/** `text` as a sentence: ended by a full stop unless it already ends with one (or ? or !). */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.?!…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** `text` joined to `next` as two sentences: "the API said so." + "Check x." without "..". */
export function sentences(...texts: readonly string[]): string {
  return texts
    .filter((text) => text.trim() !== '')
    .map(sentence)
    .join(' ');
}

/**
 * Compares two strings as people sort names: runs of digits by their value (post-2 before post-10;
 * the same value with fewer leading zeros first), everything else by UTF-16 code unit, so that the
 * order is the same on every machine. Hand-written rather than Intl.Collator's numeric order: a
 * million names sort in well under a second, as the strings are compared up to where they differ and
 * only a digit run there is read as a number.
 */
export function naturalCompare(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  let at = 0;
  while (at < shorter && a.charCodeAt(at) === b.charCodeAt(at)) at++;
  if (at === shorter) return a.length - b.length; // equal, or one is the start of the other
  const x = a.charCodeAt(at);
  const y = b.charCodeAt(at);
  // Where the digit run they differ in (if any) starts: its shared digits are before `at`.
  let start = at;
  while (start > 0 && isDigit(a.charCodeAt(start - 1))) start--;
  if (start === at && !(isDigit(x) && isDigit(y))) return x - y;
  if (start < at && !isDigit(x) && !isDigit(y)) return x - y; // the run ended in both: equal
  let endA = at;
  while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
  let endB = at;
  while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
  let fromA = start;
  while (fromA < endA - 1 && a.charCodeAt(fromA) === 48) fromA++;
  let fromB = start;
  while (fromB < endB - 1 && b.charCodeAt(fromB) === 48) fromB++;
  // More digits (leading zeros aside) is a larger number; as many compare digit by digit.
  const longer = endA - fromA - (endB - fromB);
  if (longer !== 0) return longer;
  for (let k = 0; k < endA - fromA; k++) {
    const digit = a.charCodeAt(fromA + k) - b.charCodeAt(fromB + k);
    if (digit !== 0) return digit;
  }
  // The same value (written with other leading zeros): what follows decides, then fewer zeros first.
  return naturalCompare(a.slice(endA), b.slice(endB)) || endA - fromA - (endB - fromB) || fromA - fromB;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
