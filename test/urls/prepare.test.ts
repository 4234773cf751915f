import { describe, expect, it } from 'vitest';
import { prepareUrls } from '../../src/urls/prepare.js';
import { parseUrlList } from '../../src/sources/list.js';

function collect(text: string, domains: string[] = [], baseUrl?: string) {
  return prepareUrls(parseUrlList(text, 'urls'), { domains, ...(baseUrl !== undefined ? { baseUrl } : {}) });
}

describe('prepareUrls', () => {
  it('keeps distinct valid URLs, normalized, in input order', () => {
    const result = collect('https://a.com/1\nHTTPS://B.com/2\na.com/3');
    expect(result.candidates.map((c) => [c.url, c.host, c.source])).toEqual([
      ['https://a.com/1', 'a.com', 'urls: line 1'],
      ['https://b.com/2', 'b.com', 'urls: line 2'],
      ['https://a.com/3', 'a.com', 'urls: line 3'],
    ]);
    expect(result.rejected).toEqual([]);
    expect(result.duplicates).toBe(0);
  });

  it.each<[string, string, string[], number]>([
    ['exact repeats', 'https://a.com/x\nhttps://a.com/x\nhttps://a.com/x', ['https://a.com/x'], 2],
    [
      'repeats that differ only in spelling',
      'https://a.com/x\nHTTPS://A.COM:443/x#top\na.com/x\nhttps://a.com/y\nhttps://a.com/%e5\nhttps://a.com/%E5',
      ['https://a.com/x', 'https://a.com/y', 'https://a.com/%E5'],
      3,
    ],
    ['host root spellings', 'https://a.com\nhttps://A.com/\na.com', ['https://a.com/'], 2],
    ['nothing repeated', 'https://a.com/1\nhttps://a.com/2', ['https://a.com/1', 'https://a.com/2'], 0],
  ])('duplicates merged after normalization: %s', (_name, text, urls, duplicates) => {
    const result = collect(text);
    expect(result.candidates.map((c) => c.url)).toEqual(urls);
    expect(result.duplicates).toBe(duplicates);
  });

  it('keeps the first occurrence of a duplicate (its source line)', () => {
    const result = collect('# list\nhttps://a.com/other\nA.com/x\nhttps://a.com/x');
    const x = result.candidates.find((c) => c.url === 'https://a.com/x');
    expect(x?.source).toBe('urls: line 3');
    expect(result.duplicates).toBe(1);
  });

  it('invalid entries become failed outcomes with a reason naming the line and the entry', () => {
    const result = collect('https://a.com/1\n\nftp://x\njavascript:alert(1)\n/relative');
    expect(result.candidates.map((c) => c.url)).toEqual(['https://a.com/1']);
    expect(result.rejected).toHaveLength(3);
    const [ftp, js, relative] = result.rejected;
    expect(ftp).toMatchObject({ url: 'ftp://x', status: 'failed', source: 'urls: line 3' });
    expect(ftp?.reason).toBe('urls: line 3 "ftp://x" is not an http(s) URL');
    expect(js).toMatchObject({ status: 'failed', source: 'urls: line 4' });
    expect(js?.reason).toMatch(/^urls: line 4 "javascript:alert\(1\)" .*http\(s\)/);
    expect(relative).toMatchObject({ status: 'failed', source: 'urls: line 5' });
    expect(relative?.reason).toMatch(/^urls: line 5 "\/relative" .*base-url/);
    for (const outcome of result.rejected) expect(outcome.skip).toBeUndefined();
  });

  it('resolves /path entries against baseUrl', () => {
    const result = collect('/a.png\nhttps://www.example.com/a.png\n/b.png', [], 'https://www.example.com');
    expect(result.candidates.map((c) => c.url)).toEqual([
      'https://www.example.com/a.png',
      'https://www.example.com/b.png',
    ]);
    expect(result.duplicates).toBe(1);
  });

  it('hosts outside domains are skipped with skip "domains"', () => {
    const result = collect(
      'https://www.example.com/1\nhttps://evil.com/2\nhttps://cdn.example.com/3\nhttps://example.com/4',
      ['*.example.com'],
    );
    expect(result.candidates.map((c) => c.url)).toEqual([
      'https://www.example.com/1',
      'https://cdn.example.com/3',
    ]);
    expect(result.rejected).toHaveLength(2);
    for (const outcome of result.rejected) {
      expect(outcome.status).toBe('skipped');
      expect(outcome.skip).toBe('domains');
    }
    expect(result.rejected.map((o) => o.url)).toEqual(['https://evil.com/2', 'https://example.com/4']);
    expect(result.rejected[0]?.reason).toContain('evil.com');
  });

  it('an empty domains list allows every host', () => {
    const result = collect('https://a.com/1\nhttps://b.org/2');
    expect(result.candidates).toHaveLength(2);
    expect(result.rejected).toHaveLength(0);
  });

  it('order preserves input order across candidates and rejected entries', () => {
    const text = [
      'https://www.example.com/1',
      'ftp://x',
      'https://other.org/2',
      'https://www.example.com/1',
      'https://www.example.com/3',
      'mailto:a@b.c',
      'https://www.example.com/4',
    ].join('\n');
    const result = collect(text, ['www.example.com']);
    const all = [
      ...result.candidates.map((c) => ({ order: c.order, what: c.url })),
      ...result.rejected.map((o) => ({ order: o.order, what: o.url })),
    ];
    all.sort((a, b) => a.order - b.order);
    expect(all.map((x) => x.what)).toEqual([
      'https://www.example.com/1',
      'ftp://x',
      'https://other.org/2',
      'https://www.example.com/3',
      'mailto:a@b.c',
      'https://www.example.com/4',
    ]);
    const orders = all.map((x) => x.order);
    expect(new Set(orders).size).toBe(orders.length);
    const candidateOrders = result.candidates.map((c) => c.order);
    expect(candidateOrders).toEqual([...candidateOrders].sort((a, b) => a - b));
    expect(result.duplicates).toBe(1);
  });
});
