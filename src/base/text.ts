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

/** Compares two strings as people sort names: digits by their value (post-2 before post-10). */
export const naturalOrder: (a: string, b: string) => number = new Intl.Collator('en', {
  numeric: true,
  sensitivity: 'variant',
}).compare;
