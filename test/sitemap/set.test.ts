import { describe, expect, it } from 'vitest';
import { ownCopy, SitemapSet } from '../../src/sitemap/set.js';

const url = (i: number): string => `https://www.example.com/page/${i}`;

describe('SitemapSet', () => {
  it('keeps the first occurrence of a duplicate, position and lastmod', () => {
    const set = new SitemapSet();
    set.add(url(1), 10);
    set.add(url(2), 20);
    set.add(url(1), 99);
    expect(set.size).toBe(2);
    expect(set.orderOf(url(1))).toBe(0);
    expect(set.lastmodAt(set.orderOf(url(1))!)).toBe(10);
    expect([...set.entries()]).toEqual([
      [url(1), 10],
      [url(2), 20],
    ]);
  });

  it('finds every URL of a large set, in order or not, and nothing else', () => {
    const set = new SitemapSet();
    for (let i = 0; i < 50_000; i++) set.add(url(i), i % 7 === 0 ? NaN : i);
    expect(set.size).toBe(50_000);
    for (let i = 0; i < 50_000; i++) expect(set.orderOf(url(i))).toBe(i); // in order: the cursor
    for (let i = 49_999; i >= 0; i -= 7) expect(set.orderOf(url(i))).toBe(i); // backwards: the index
    expect(set.orderOf(url(50_000))).toBeUndefined();
    expect(set.orderOf('')).toBeUndefined();
    expect(set.lastmodAt(14)).toBeNaN();
  });

  it('does not trust the cursor for a later duplicate', () => {
    const set = new SitemapSet();
    ['a', 'b', 'a', 'c'].forEach((name, i) => set.add(`https://x.com/${name}`, i));
    expect(set.orderOf('https://x.com/b')).toBe(1); // the cursor now points at the duplicate "a"
    expect(set.orderOf('https://x.com/a')).toBe(0);
    expect(set.orderOf('https://x.com/c')).toBe(3);
  });

  it('takes back what was added since a mark', () => {
    const set = new SitemapSet();
    set.add(url(1), 1);
    const mark = set.mark();
    set.add(url(2), 2);
    set.add(url(1), 3);
    expect(set.size).toBe(2);
    set.rollback(mark);
    expect(set.size).toBe(1);
    expect(set.orderOf(url(2))).toBeUndefined();
    expect([...set.entries()]).toEqual([[url(1), 1]]);
  });

  it('copies keys into strings of their own', () => {
    const chunk = `<loc>${url(7)}</loc>${'x'.repeat(100_000)}`;
    const sliced = chunk.slice(5, 5 + url(7).length);
    expect(ownCopy(sliced)).toBe(url(7));
    expect(ownCopy('https://a.com/ブログ')).toBe('https://a.com/ブログ');
    const long = `https://a.com/${'é'.repeat(20_000)}`;
    expect(ownCopy(long)).toBe(long);
  });
});
