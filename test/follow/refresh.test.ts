import { describe, expect, it } from 'vitest';
import { groupForRefresh } from '../../src/follow/refresh.js';

function items(host: string, count: number): { host: string; url: string }[] {
  return Array.from({ length: count }, (_, i) => ({ host, url: `https://${host}/${i}` }));
}

function shape(calls: { host: string }[][]): { urls: number; hosts: string[] }[] {
  return calls.map((call) => ({ urls: call.length, hosts: [...new Set(call.map((i) => i.host))] }));
}

describe('groupForRefresh', () => {
  it('puts a few hosts in one call', () => {
    const calls = groupForRefresh([...items('a.com', 3), ...items('b.com', 2), ...items('a.com', 1)]);
    expect(shape(calls)).toEqual([{ urls: 6, hosts: ['a.com', 'b.com'] }]);
    // Grouped by host, in order of each host's first appearance.
    expect(calls[0]?.map((i) => i.host)).toEqual(['a.com', 'a.com', 'a.com', 'a.com', 'b.com', 'b.com']);
  });

  it('never puts more than 1,000 URLs in a call, and fills each call', () => {
    const calls = groupForRefresh([...items('a.com', 1500), ...items('b.com', 700)]);
    expect(shape(calls)).toEqual([
      { urls: 1000, hosts: ['a.com'] },
      { urls: 1000, hosts: ['a.com', 'b.com'] },
      { urls: 200, hosts: ['b.com'] },
    ]);
  });

  it('never puts more than 10 hosts in a call', () => {
    const many = Array.from({ length: 23 }, (_, h) => items(`h${h}.com`, 2)).flat();
    const calls = groupForRefresh(many);
    expect(shape(calls).map((c) => c.hosts.length)).toEqual([10, 10, 3]);
    expect(calls.flat()).toHaveLength(46);
  });

  it('keeps every URL exactly once, within both limits, for any mix', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let round = 0; round < 20; round++) {
      const input = Array.from({ length: 30 }, () => items(`h${random(15)}.com`, 1 + random(300))).flat();
      const calls = groupForRefresh(input);
      expect(
        calls
          .flat()
          .map((i) => i.url)
          .sort(),
      ).toEqual(input.map((i) => i.url).sort());
      for (const call of calls) {
        expect(call.length).toBeLessThanOrEqual(1000);
        expect(new Set(call.map((i) => i.host)).size).toBeLessThanOrEqual(10);
      }
      const hosts = new Set(input.map((i) => i.host)).size;
      expect(calls.length).toBeLessThanOrEqual(Math.ceil(input.length / 1000) + Math.ceil(hosts / 10));
    }
  });

  it('sends nothing for nothing', () => {
    expect(groupForRefresh([])).toEqual([]);
  });
});
