import { describe, expect, it } from 'vitest';
import { allot, allotAfterRefresh, allotBeforeRefresh, type Readiness } from '../../src/follow/allot.js';
import type { RefreshNeed } from '../../src/follow/fresh.js';
import type { Refreshed, RefreshSent, UrlRefresh } from '../../src/follow/refresh.js';
import type { Candidate } from '../../src/urls/prepare.js';

/** A plan of URLs named by their kind: `m` needs a refresh (changed in place), `a` needs none (added). */
function plan(kinds: string): { candidates: Candidate[]; needs: Map<string, RefreshNeed> } {
  const candidates = [...kinds].map((kind, i) => ({
    url: `https://www.example.com/${i + 1}${kind}`,
    host: 'www.example.com',
    source: 'site-dir',
    order: i + 1,
  }));
  const needs = new Map<string, RefreshNeed>(
    candidates.map((c) => [
      c.url,
      c.url.endsWith('m') ? { needed: true } : { needed: false, kind: 'added', why: 'added' },
    ]),
  );
  return { candidates, needs };
}

/** The refresh calls' story: `accepted` and `refused` by position (1-based). */
function sent(candidates: Candidate[], refused: number[] = []): RefreshSent {
  const sent: RefreshSent = {
    summary: { taskIds: ['9'], requested: 0, refreshed: 0, notRefreshed: 0, calls: 1 },
    accepted: new Map(),
    notRefreshed: new Map(),
  };
  for (const c of candidates) {
    if (!c.url.endsWith('m')) continue;
    if (refused.includes(c.order)) sent.notRefreshed.set(c.url, { kind: 'quota', reason: 'quota' });
    else sent.accepted.set(c.url, { taskIds: ['9'], at: '2026-03-02T00:00:00.000Z' });
  }
  return sent;
}

/** After the wait: the accepted refreshes Complete, but those listed (by position) with another state. */
function waited(
  sent: RefreshSent,
  candidates: Candidate[],
  other: Record<number, UrlRefresh> = {},
): Refreshed {
  const urls = new Map<string, UrlRefresh>();
  for (const c of candidates) {
    const missed = sent.notRefreshed.get(c.url);
    if (missed) urls.set(c.url, { refreshStatus: 'NotRefreshed', notRefreshed: missed.kind });
    else if (sent.accepted.has(c.url)) urls.set(c.url, other[c.order] ?? { refreshStatus: 'Complete' });
  }
  return { summary: sent.summary, urls };
}

/** A run that waited for its refreshes and goes on. */
const RUN = { halted: false, awaited: true };

const positions = (items: readonly Candidate[]): number[] => items.map((c) => c.order);

describe('allot', () => {
  it.each<[string, Readiness[], number | undefined, { ready: number[]; waiting: number[]; left: number[] }]>([
    ['no cap', ['ready', 'waiting', 'held', 'ready'], undefined, { ready: [0, 3], waiting: [1], left: [2] }],
    [
      'a cap, in order',
      ['waiting', 'ready', 'ready', 'ready'],
      2,
      { ready: [1], waiting: [0], left: [2, 3] },
    ],
    [
      'held items take no slot',
      ['held', 'held', 'ready', 'ready'],
      1,
      { ready: [2], waiting: [], left: [0, 1, 3] },
    ],
    ['no slot at all', ['ready', 'waiting'], 0, { ready: [], waiting: [], left: [0, 1] }],
  ])('%s', (_name, readiness, slots, expected) => {
    const items = readiness.map((_, i) => i);
    expect(allot(items, (i) => readiness[i]!, slots)).toEqual(expected);
  });
});

describe('the prefetch quota around the refresh', () => {
  it('keeps a higher-ranked modified URL its slot ahead of lower-ranked added ones sent at once', () => {
    const { candidates, needs } = plan('mmaaaa');
    const refreshes = sent(candidates);
    const first = allotBeforeRefresh(candidates, needs, refreshes, 4);
    expect(positions(first.ready)).toEqual([3, 4]);
    expect(positions(first.waiting)).toEqual([1, 2]);
    expect(positions(first.left)).toEqual([5, 6]);
    const after = allotAfterRefresh(first, needs, refreshes, waited(refreshes, candidates), RUN);
    expect(positions(after.ready)).toEqual([1, 2]);
    expect(after.heldBack).toEqual([]);
    expect(positions(after.overQuota)).toEqual([5, 6]);
  });

  it('gives the slot of a refresh that did not complete to the next URL that may be prefetched', () => {
    const { candidates, needs } = plan('mmamam');
    const refreshes = sent(candidates);
    const first = allotBeforeRefresh(candidates, needs, refreshes, 3);
    expect(positions(first.ready)).toEqual([3]);
    expect(positions(first.waiting)).toEqual([1, 2]);
    // 2 failed at the CDN: its slot goes to 4 (added), not to 5 or 6 later in the plan.
    const after = allotAfterRefresh(
      first,
      needs,
      refreshes,
      waited(refreshes, candidates, { 2: { refreshStatus: 'Failed' } }),
      RUN,
    );
    expect(positions(after.ready)).toEqual([1, 4]);
    expect(positions(after.heldBack)).toEqual([2]);
    expect(positions(after.overQuota)).toEqual([5, 6]);
  });

  it('a freed slot may go to a modified URL beyond the quota once its refresh is Complete', () => {
    const { candidates, needs } = plan('mmm');
    const refreshes = sent(candidates);
    const first = allotBeforeRefresh(candidates, needs, refreshes, 2);
    const after = allotAfterRefresh(
      first,
      needs,
      refreshes,
      waited(refreshes, candidates, { 1: { refreshStatus: 'Refreshing' } }),
      RUN,
    );
    expect(positions(after.ready)).toEqual([2, 3]);
    expect(positions(after.heldBack)).toEqual([1]);
  });

  it('a URL whose refresh was not accepted takes no slot and is held back, wherever it stands', () => {
    const { candidates, needs } = plan('mmaa');
    const refreshes = sent(candidates, [1]);
    const first = allotBeforeRefresh(candidates, needs, refreshes, 2);
    expect(positions(first.ready)).toEqual([3]);
    expect(positions(first.waiting)).toEqual([2]);
    const after = allotAfterRefresh(first, needs, refreshes, waited(refreshes, candidates), RUN);
    expect(positions(after.ready)).toEqual([2]);
    expect(positions(after.heldBack)).toEqual([1]);
    expect(positions(after.overQuota)).toEqual([4]);
  });

  it('every URL ends in exactly one place, whatever the quota and the refreshes', () => {
    const kinds = 'mamamammaa';
    const { candidates, needs } = plan(kinds);
    for (const quota of [undefined, 0, 1, 3, 5, 10]) {
      for (const refused of [[], [1], [3, 5]]) {
        const refreshes = sent(candidates, refused);
        const first = allotBeforeRefresh(candidates, needs, refreshes, quota);
        const after = allotAfterRefresh(
          first,
          needs,
          refreshes,
          waited(refreshes, candidates, { 6: { refreshStatus: 'Failed' } }),
          RUN,
        );
        const all = [...first.ready, ...after.ready, ...after.heldBack, ...after.overQuota];
        expect(positions(all).sort((a, b) => a - b)).toEqual(candidates.map((c) => c.order));
        expect(first.ready.length + after.ready.length).toBeLessThanOrEqual(quota ?? Infinity);
        // No URL that needs a refresh is prefetched unless its refresh is Complete.
        for (const c of [...first.ready, ...after.ready]) {
          if (c.url.endsWith('m')) expect([...refused, 6]).not.toContain(c.order);
        }
      }
    }
  });

  it('without refresh calls (a dry run) every URL is ready within the quota, and nothing is held back', () => {
    const { candidates, needs } = plan('mama');
    const first = allotBeforeRefresh(candidates, needs, undefined, 3);
    expect(positions(first.ready)).toEqual([1, 2, 3]);
    const after = allotAfterRefresh(first, needs, undefined, undefined, RUN);
    expect(after).toEqual({ ready: [], heldBack: [], overQuota: [candidates[3]] });
  });

  it('refreshes nobody waited for (no slot left for them) are beyond the quota, not held back', () => {
    const { candidates, needs } = plan('amm');
    const refreshes = sent(candidates);
    const first = allotBeforeRefresh(candidates, needs, refreshes, 1);
    expect(positions(first.ready)).toEqual([1]);
    expect(first.waiting).toEqual([]);
    const notWaited = waited(refreshes, candidates, {
      2: { refreshStatus: 'Pending' },
      3: { refreshStatus: 'Pending' },
    });
    const after = allotAfterRefresh(first, needs, refreshes, notWaited, { halted: false, awaited: false });
    expect(after.heldBack).toEqual([]);
    expect(positions(after.overQuota)).toEqual([2, 3]);
  });

  it('once the run has stopped, a refresh the stop cut short holds nothing back: the URL goes on, to be reported not sent', () => {
    const { candidates, needs } = plan('mmm');
    const refreshes = sent(candidates);
    const first = allotBeforeRefresh(candidates, needs, refreshes, 3);
    const after = allotAfterRefresh(
      first,
      needs,
      refreshes,
      waited(refreshes, candidates, { 1: { refreshStatus: 'Pending' }, 2: { refreshStatus: 'Failed' } }),
      { halted: true, awaited: true },
    );
    expect(positions(after.ready)).toEqual([1, 3]);
    expect(positions(after.heldBack)).toEqual([2]);
  });
});
