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
 * Compares two strings as people sort names: runs of digits by their value (post-2 before post-10,
 * leading zeros aside), everything else by UTF-16 code unit, so that the order is the same on every
 * machine. Hand-written rather than Intl.Collator's numeric order: a million names sort in a second.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(j);
    if (isDigit(x) && isDigit(y)) {
      let endA = i;
      while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
      let endB = j;
      while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
      let startA = i;
      while (startA < endA - 1 && a.charCodeAt(startA) === 48) startA++;
      let startB = j;
      while (startB < endB - 1 && b.charCodeAt(startB) === 48) startB++;
      // More digits (leading zeros aside) is a larger number; the same count compares digit by digit.
      const longer = endA - startA - (endB - startB);
      if (longer !== 0) return longer;
      for (let k = 0; k < endA - startA; k++) {
        const digit = a.charCodeAt(startA + k) - b.charCodeAt(startB + k);
        if (digit !== 0) return digit;
      }
      // Equal values: the one written with fewer leading zeros first, so that the order is total.
      const zeros = endA - i - (endB - j);
      if (zeros !== 0) return zeros;
      i = endA;
      j = endB;
      continue;
    }
    if (x !== y) return x - y;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
