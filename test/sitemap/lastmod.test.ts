import { describe, expect, it } from 'vitest';
import { formatLastmod, parseLastmod } from '../../src/sitemap/lastmod.js';

describe('parseLastmod', () => {
  it.each([
    ['2026-01-05', '2026-01-05T00:00:00Z'],
    ['2026-01-05', '2026-01-05T00:00Z'],
    ['2026-01-05', '2026-01-05T08:00:00+08:00'],
    ['2026-01-05', '2026-01-04T19:00:00-05:00'],
    ['2026-01-05', '2026-01-05T00:00:00.000Z'],
    ['2026-01-05T10:20:30.5Z', '2026-01-05T10:20:30.500000Z'],
    ['2026', '2026-01-01T00:00:00Z'],
    ['2026-03', '2026-03-01'],
    ['2026-01-05T10:20', '2026-01-05T10:20:00Z'], // no zone: UTC
    [' 2026-01-05\n', '2026-01-05'],
    ['2026-01-05t10:20:30z', '2026-01-05T10:20:30Z'],
  ])('%j and %j are the same instant', (a, b) => {
    expect(parseLastmod(a)).not.toBeNaN();
    expect(parseLastmod(a)).toBe(parseLastmod(b));
  });

  it.each([
    ['2026-01-05', '2026-01-06'],
    ['2026-01-05T10:20:30Z', '2026-01-05T10:20:31Z'],
    ['2026-01-05T10:20:30.1234Z', '2026-01-05T10:20:30.1235Z'], // below a millisecond
    ['2026-01-05T10:20:30.007Z', '2026-01-05T10:20:30.0071Z'],
    ['2026-01-05T10:00:00+01:00', '2026-01-05T10:00:00Z'],
  ])('%j and %j are different instants', (a, b) => {
    expect(parseLastmod(a)).not.toBe(parseLastmod(b));
  });

  it('computes the right epoch milliseconds', () => {
    expect(parseLastmod('2023-02-17T14:11:09.278Z')).toBe(Date.UTC(2023, 1, 17, 14, 11, 9, 278));
    expect(parseLastmod('2020-06-30T19:47:02+08:00')).toBe(Date.UTC(2020, 5, 30, 11, 47, 2));
    expect(parseLastmod('0001-01-01T00:00:00Z')).toBe(Date.parse('0001-01-01T00:00:00Z'));
  });

  it.each([
    '',
    'yesterday',
    '2026-1-5',
    '2026-13-01',
    '2026-02-30',
    '2025-02-29',
    '2026-01-05T24:00:00Z',
    '2026-01-05T10:60Z',
    '2026-01-05T10:20:30.Z',
    '2026-01-05T10',
    '2026-01-05T10:20:30+0800',
    '2026-01-05T10:20:30+08:00junk',
    '2026-01-05 10:20:30',
    '05/01/2026',
  ])('%j is not a W3C datetime', (text) => {
    expect(parseLastmod(text)).toBeNaN();
  });

  it('agrees with Date.UTC over four centuries of random dates', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 5000; i++) {
      const [y, mo, d, h, mi, s, ms] = [
        1700 + random(600),
        random(12),
        1 + random(28),
        random(24),
        random(60),
        random(60),
        random(1000),
      ];
      const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
      const text = `${y}-${pad(mo + 1)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}Z`;
      const date = new Date(0);
      date.setUTCFullYear(y, mo, d);
      date.setUTCHours(h, mi, s, ms);
      expect(parseLastmod(text), text).toBe(date.getTime());
    }
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseLastmod('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });
});

describe('formatLastmod', () => {
  it.each([
    '2026-01-05',
    '2026-01-05T10:20:30Z',
    '2026-01-05T10:20:30.278Z',
    '2026-01-05T10:20:30.1234567Z',
    '2026-01-05T10:20:30.007Z',
    '2026-01-05T10:20:30.999999Z',
    '1999-12-31T23:59:59.5-01:30',
    '1960-06-01T00:00:00.25Z',
  ])('writes %j so that it reads back as the same instant', (text) => {
    const ms = parseLastmod(text);
    const written = formatLastmod(ms);
    expect(written).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/);
    expect(parseLastmod(written)).toBe(ms);
  });

  it('round-trips many random instants exactly', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      const digits = String(Math.floor(random() * 1e9))
        .padStart(9, '0')
        .slice(0, 1 + (i % 9));
      const text = `20${String(10 + (i % 80))}-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:1${i % 10}:2${i % 10}.${digits}Z`;
      const ms = parseLastmod(text);
      expect(parseLastmod(formatLastmod(ms)), text).toBe(ms);
    }
  });
});
