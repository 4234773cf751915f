// Which URLs a verification asks for, in which order, and what it knows before asking.
import { describe, expect, it } from 'vitest';
import type { UrlOutcome } from '../../src/base/outcome.js';
import { WHOLE_FILE_LIMIT } from '../../src/site/hash.js';
import type { SiteScan } from '../../src/site/scan.js';
import { expectedFromScan } from '../../src/verify/expected.js';
import { staleHint, verifyTargets } from '../../src/verify/select.js';

const SITE = 'https://www.example.com';

let order = 0;
/** A submitted URL whose prefetch task was seen Complete, unless `fields` say otherwise (undefined: absent). */
function outcome(
  path: string,
  fields: { [K in keyof UrlOutcome]?: UrlOutcome[K] | undefined } = {},
): UrlOutcome {
  const given = {
    url: `${SITE}${path}`,
    status: 'submitted',
    taskStatus: 'Complete',
    order: ++order,
    ...fields,
  };
  return Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined),
  ) as unknown as UrlOutcome;
}

/** A scan holding `files` (path → size): each file's content hash is its path, to tell them apart. */
function scan(files: Record<string, number>): SiteScan {
  return {
    root: '/site',
    base: `${SITE}/`,
    bytes: 0,
    files: Object.entries(files).map(([path, size]) => ({
      path,
      size,
      url: '',
      hashes: { content: `hash-of-${path}` },
    })),
  };
}

describe('verifyTargets', () => {
  it('takes the deploy’s changes first in plan order, then the other URLs in input order', () => {
    const outcomes = [
      outcome('/listed-1'),
      outcome('/', { change: 'modified' }),
      outcome('/listed-2'),
      outcome('/new/', { change: 'added' }),
      outcome('/same/', { change: 'unchanged' }),
      outcome('/old/', { change: 'carried', status: 'skipped', skip: 'quota', taskStatus: undefined }),
    ];
    const targets = verifyTargets(outcomes, () => undefined);
    expect(targets.map((t) => t.url.slice(SITE.length))).toEqual([
      '/',
      '/new/',
      '/old/',
      '/listed-1',
      '/listed-2',
      '/same/',
    ]);
  });

  it('leaves out invalid entries, hosts outside domains and excluded URLs; keeps refused and unsent ones', () => {
    const outcomes: UrlOutcome[] = [
      { url: 'ftp://www.example.com/x', status: 'failed', reason: 'not http', order: ++order },
      { url: 'https://user:pw@www.example.com/x', status: 'failed', reason: 'password', order: ++order },
      outcome('/other', { status: 'skipped', skip: 'domains' }),
      outcome('/tags/', { status: 'skipped', skip: 'excluded' }),
      outcome('/refused', { status: 'failed', code: 'InvalidDomain.NotFound', taskStatus: undefined }),
      outcome('/late', { status: 'failed', notSent: 'deadline', taskStatus: undefined }),
      outcome('/beyond-quota', { status: 'skipped', skip: 'quota', taskStatus: undefined }),
    ];
    expect(
      verifyTargets(outcomes, () => undefined).map((t) => [t.url.slice(SITE.length), t.unchecked]),
    ).toEqual([
      ['/refused', undefined],
      ['/late', undefined],
      ['/beyond-quota', undefined],
    ]);
  });

  it('does not ask for a URL whose prefetch of this run has not been seen finished', () => {
    const outcomes = [
      outcome('/done', { taskStatus: 'Complete' }),
      outcome('/failed', { taskStatus: 'Failed' }),
      outcome('/running', { taskStatus: 'Refreshing' }),
      outcome('/not-followed', { taskStatus: undefined }),
    ];
    const targets = verifyTargets(outcomes, () => undefined);
    expect(targets.map((t) => [t.url.slice(SITE.length), t.unchecked, t.note])).toEqual([
      ['/done', undefined, undefined],
      ['/failed', undefined, undefined],
      ['/running', 'prefetch-pending', 'its prefetch task was Refreshing when the checks began'],
      ['/not-followed', 'prefetch-pending', 'its prefetch task was not followed when the checks began'],
    ]);
  });

  it('knows each URL’s built file through the scan, and leaves files over 16 MiB unchecked', () => {
    const expectedOf = expectedFromScan(
      scan({ 'index.html': 10, 'guide/intro.html': 10, 'video.mp4': WHOLE_FILE_LIMIT + 1 }),
    );
    const targets = verifyTargets(
      [
        outcome('/', { change: 'modified' }),
        outcome('/guide/intro'),
        outcome('/video.mp4'),
        outcome('/nowhere'),
      ],
      expectedOf,
    );
    expect(targets.map((t) => [t.url.slice(SITE.length), t.expected?.content, t.unchecked])).toEqual([
      ['/', 'hash-of-index.html', undefined],
      ['/guide/intro', 'hash-of-guide/intro.html', undefined],
      ['/video.mp4', undefined, 'too-large'],
      ['/nowhere', undefined, undefined],
    ]);
    expect(targets[2]!.note).toBe('video.mp4 is over 16 MiB: not downloaded');
  });
});

describe('staleHint', () => {
  it.each([
    [{ change: 'modified' }, /^not refreshed: the CDN may still hold the previous copy/],
    [
      { change: 'modified', refreshStatus: 'NotRefreshed', refreshDescription: 'refresh refused: Forbidden' },
      /^not refreshed \(refresh refused: Forbidden\)/,
    ],
    [
      { change: 'modified', refreshStatus: 'Failed', refreshDescription: 'Internal Error' },
      /^its refresh failed \(Internal Error\)/,
    ],
    [{ change: 'modified', refreshStatus: 'Refreshing' }, /^its refresh had not finished/],
    [
      { change: 'modified', refreshStatus: 'Complete' },
      /^refreshed, and still other content: the origin may serve an old copy/,
    ],
    [{ change: 'added' }, /is the origin updated\?$/],
    [
      { change: 'modified', status: 'skipped', skip: 'quota', refreshStatus: 'NotRefreshed' },
      /^skipped for quota, so neither refreshed nor prefetched/,
    ],
  ] as const)('%o', (fields, hint) => {
    expect(staleHint(outcome('/', fields as Partial<UrlOutcome>))).toMatch(hint);
  });
});
