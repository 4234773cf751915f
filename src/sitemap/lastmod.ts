/**
 * `<lastmod>` as an instant. Generators write the same moment in many W3C datetime forms
 * (`2026-01-05`, `2026-01-05T00:00:00Z`, `…T08:00:00+08:00`, any number of fraction digits), so
 * changes are detected by comparing instants, never strings.
 */

/**
 * Milliseconds since the epoch (fractional below a millisecond, so that `.1234` and `.1235` differ),
 * or NaN when the value is not a W3C datetime: YYYY, YYYY-MM, YYYY-MM-DD, then optionally Thh:mm,
 * Thh:mm:ss or Thh:mm:ss.f (any number of digits), then optionally Z or ±hh:mm. A value without a
 * zone is taken as UTC.
 *
 * Hand-written rather than a regular expression: it runs once per URL on both sides of the diff,
 * and at a million URLs a side the regular expression and its substrings were a visible cost.
 */
export function parseLastmod(raw: string): number {
  // Generators often stamp every URL with the build time: remember the last answer.
  if (raw === lastRaw) return lastValue;
  lastValue = parse(raw);
  lastRaw = raw;
  return lastValue;
}

let lastRaw = '';
let lastValue = NaN;

function parse(raw: string): number {
  const s = raw.trim();
  const n = s.length;
  const year = digits(s, 0, 4);
  if (year < 0 || (n > 4 && s.charCodeAt(4) !== DASH)) return NaN;
  const month = n > 4 ? digits(s, 5, 2) : 1;
  if (month < 1 || month > 12 || (n > 7 && s.charCodeAt(7) !== DASH)) return NaN;
  const day = n > 7 ? digits(s, 8, 2) : 1;
  if (day < 1 || day > daysIn(year, month)) return NaN;
  if (n === 4 || n === 7 || n === 10) return utc(year, month, day, 0, 0, 0);
  if (n < 16 || (s.charCodeAt(10) | 0x20) !== LOWER_T || s.charCodeAt(13) !== COLON) return NaN;

  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  let second = 0;
  let fraction = 0;
  let i = 16;
  if (s.charCodeAt(i) === COLON) {
    second = digits(s, 17, 2);
    i = 19;
    if (s.charCodeAt(i) === DOT) {
      const start = ++i;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      if (i === start) return NaN;
      fraction = fractionMs(s, start, i);
    }
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;

  let offset = 0;
  if (i < n) {
    const sign = s.charCodeAt(i);
    if ((sign | 0x20) === LOWER_Z) {
      i++;
    } else if (sign === PLUS || sign === DASH) {
      const offsetHours = digits(s, i + 1, 2);
      const offsetMinutes = digits(s, i + 4, 2);
      if (
        s.charCodeAt(i + 3) !== COLON ||
        offsetHours < 0 ||
        offsetHours > 23 ||
        offsetMinutes < 0 ||
        offsetMinutes > 59
      ) {
        return NaN;
      }
      offset = (sign === PLUS ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
      i += 6;
    }
  }
  if (i !== n) return NaN;
  return utc(year, month, day, hour, minute, second) + fraction + offset;
}

const DASH = 0x2d;
const PLUS = 0x2b;
const COLON = 0x3a;
const DOT = 0x2e;
const LOWER_T = 0x74;
const LOWER_Z = 0x7a;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** The number written by `count` digits at `at`, or -1. */
function digits(s: string, at: number, count: number): number {
  if (at + count > s.length) return -1;
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = s.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value;
}

/**
 * Fraction digits as milliseconds. The first three digits are whole milliseconds, added as an
 * integer, so that `.5`, `.500` and `.5000` are the very same number (`0.007 * 1000` is not 7).
 */
function fractionMs(s: string, start: number, end: number): number {
  let whole = 0;
  for (let i = start; i < start + 3; i++) whole = whole * 10 + (i < end ? s.charCodeAt(i) - 0x30 : 0);
  const digits = end - start - 3;
  if (digits <= 0) return whole;
  if (digits > 15) return whole + Number(`0.${s.slice(start + 3, end)}`);
  // Up to 15 digits are an exact integer, and dividing by an exact power of ten rounds once, just
  // as Number("0.…") does; `.000000` (a common spelling) costs no string at all.
  let rest = 0;
  for (let i = start + 3; i < end; i++) rest = rest * 10 + (s.charCodeAt(i) - 0x30);
  return rest === 0 ? whole : whole + rest / 10 ** digits;
}

/**
 * The shortest `YYYY-MM-DDThh:mm:ss[.f]Z` that parseLastmod reads back as exactly `ms`, so that a
 * saved baseline compares equal to the sitemap it was saved from.
 */
export function formatLastmod(ms: number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  const base = new Date(whole).toISOString().slice(0, 19); // YYYY-MM-DDThh:mm:ss
  const rest = ms - whole; // exact: both are within a factor of two of each other
  if (rest === 0) return `${base}Z`;
  let best = '';
  for (let digits = 1; digits <= 20; digits++) {
    const fraction = (rest / 1000).toFixed(digits).slice(2); // "0.123" -> "123"
    best = `${base}.${fraction}Z`;
    if (parseLastmod(best) === ms) return best;
  }
  return best;
}

/** Date.UTC without its quirks (years 0-99 mean 1900-1999 there) and without its cost. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60_000 + second * 1000;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
