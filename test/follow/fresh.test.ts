import { describe, expect, it } from 'vitest';
import { neededUrls, refreshNeeds, type RefreshNeed } from '../../src/follow/fresh.js';
import { refreshOutcomes, type RefreshSent } from '../../src/follow/refresh.js';
import type { RefreshMode } from '../../src/follow/options.js';
import type { Candidate, EntryChange } from '../../src/urls/prepare.js';

const candidate = (order: number): Candidate => ({
  url: `https://www.example.com/${order}`,
  host: 'www.example.com',
  source: `entry ${order}`,
  order,
});

const site = (change: EntryChange & { chromeOnly: boolean }): EntryChange => change;
const sitemap = (change: 'added' | 'modified'): EntryChange => ({ change, lastmod: 0, previousLastmod: NaN });

/** Every kind of entry a run can hold, by name. */
const ENTRIES: Record<string, EntryChange | undefined> = {
  'a urls entry': undefined,
  'site-dir added': site({ change: 'added', chromeOnly: false }),
  'site-dir modified': site({ change: 'modified', chromeOnly: false }),
  'site-dir modified, navigation only': site({ change: 'modified', chromeOnly: true }),
  'site-dir unchanged (changes: all)': site({ change: 'unchanged', chromeOnly: false }),
  'sitemap added': sitemap('added'),
  'sitemap modified': sitemap('modified'),
  'carried, modified, not refreshed': site({ change: 'carried', chromeOnly: false, firstChange: 'modified' }),
  'carried, added': site({ change: 'carried', chromeOnly: false, firstChange: 'added' }),
  'carried, modified, refreshed before': site({
    change: 'carried',
    chromeOnly: false,
    firstChange: 'modified',
    refreshedAt: '2026-03-01T10:00:00.000Z',
  }),
  'carried by a state that does not say what changed': site({ change: 'carried', chromeOnly: false }),
};

const NAMES = Object.keys(ENTRIES);

/** The URL of the entry named `name` in ENTRIES. */
const urlOf = (name: string): string => candidate(NAMES.indexOf(name) + 1).url;

/** Every entry of ENTRIES as a candidate, and their needs under `mode`. */
function entryNeeds(mode: RefreshMode): Map<string, RefreshNeed> {
  const candidates = NAMES.map((_, i) => candidate(i + 1));
  const changes = new Map<number, EntryChange>();
  NAMES.forEach((name, i) => {
    const change = ENTRIES[name];
    if (change) changes.set(i + 1, change);
  });
  return refreshNeeds(candidates, changes, mode);
}

function needed(mode: RefreshMode): Record<string, boolean | undefined> {
  const needs = entryNeeds(mode);
  return Object.fromEntries(NAMES.map((name) => [name, needs.get(urlOf(name))?.needed]));
}

describe('refreshNeeds', () => {
  it('changed: exactly what changed in place and was not refreshed yet', () => {
    expect(needed('changed')).toEqual({
      'a urls entry': false,
      'site-dir added': false,
      'site-dir modified': true,
      'site-dir modified, navigation only': true,
      'site-dir unchanged (changes: all)': false,
      'sitemap added': false,
      'sitemap modified': true,
      'carried, modified, not refreshed': true,
      'carried, added': false,
      'carried, modified, refreshed before': false,
      // Unknown is taken as modified: a refresh too many costs little, a stale page is wrong.
      'carried by a state that does not say what changed': true,
    });
  });

  it('true (all): every URL, but never one an earlier run refreshed', () => {
    const all = needed('all');
    expect(all['carried, modified, refreshed before']).toBe(false);
    expect(Object.entries(all).filter(([, need]) => !need)).toHaveLength(1);
  });

  it('false (none): no URL has a need at all (no refresh fields on any row)', () => {
    expect(Object.values(needed('none')).every((need) => need === undefined)).toBe(true);
  });

  it('says why a URL needs none, and hands on when an earlier run refreshed it', () => {
    const candidates = [candidate(1), candidate(2), candidate(3)];
    const changes = new Map<number, EntryChange>([
      [2, site({ change: 'added', chromeOnly: false })],
      [
        3,
        site({
          change: 'carried',
          chromeOnly: false,
          firstChange: 'modified',
          refreshedAt: '2026-03-01T10:00:00.000Z',
        }),
      ],
    ]);
    const needs = refreshNeeds(candidates, changes, 'changed');
    expect(needs.get(candidates[0]!.url)).toMatchObject({
      needed: false,
      why: expect.stringMatching(/^a urls \/ urls-file entry/),
    });
    expect(needs.get(candidates[1]!.url)).toEqual({
      needed: false,
      kind: 'added',
      why: 'added: the CDN holds no earlier copy to replace',
    });
    expect(needs.get(candidates[2]!.url)).toEqual({
      needed: false,
      kind: 'refreshed',
      why: 'refreshed by an earlier run (2026-03-01T10:00:00.000Z)',
      refreshedAt: '2026-03-01T10:00:00.000Z',
    });
  });
});

describe('refreshOutcomes', () => {
  const needs = entryNeeds('changed');
  const byName = urlOf;

  it('says for every candidate what became of its refresh; one object for URLs that need none for one reason', () => {
    const modified = byName('site-dir modified');
    const sent: RefreshSent = {
      summary: { tasks: [], accepted: 1, notRefreshed: 0 } as unknown as RefreshSent['summary'],
      accepted: new Map([[modified, { taskIds: ['7'], at: '2026-03-02T00:00:00.000Z' }]]),
      notRefreshed: new Map(),
    };
    const outcomes = refreshOutcomes(needs, sent, undefined);
    expect(outcomes.get(modified)).toEqual({
      refreshStatus: 'Pending',
      refreshTaskId: '7',
      refreshedAt: '2026-03-02T00:00:00.000Z',
    });
    // Needed, but nothing of it was accepted: not refreshed.
    expect(outcomes.get(byName('sitemap modified'))).toMatchObject({
      refreshStatus: 'NotRefreshed',
      notRefreshed: 'stopped',
    });
    expect(outcomes.get(byName('carried, modified, refreshed before'))).toMatchObject({
      refreshStatus: 'NotNeeded',
      refreshedAt: '2026-03-01T10:00:00.000Z',
    });
    const added = outcomes.get(byName('site-dir added'));
    expect(added).toMatchObject({
      refreshStatus: 'NotNeeded',
      refreshDescription: expect.stringMatching(/^added/),
    });
    // A million added files share the one row part: asked twice, or for another added URL, the same.
    expect(outcomes.get(byName('site-dir added'))).toBe(added);
    expect(outcomes.get(byName('sitemap added'))).toBe(added);
    expect(outcomes.get('https://www.example.com/not-a-candidate')).toBeUndefined();
    expect(neededUrls(needs)).toEqual(
      new Set(
        [
          'site-dir modified',
          'site-dir modified, navigation only',
          'sitemap modified',
          'carried, modified, not refreshed',
          'carried by a state that does not say what changed',
        ].map(byName),
      ),
    );
  });
});
