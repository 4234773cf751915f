import { describe, expect, it } from 'vitest';
import { packBatches, type Batches } from '../../src/batch/pack.js';
import type { Candidate } from '../../src/urls/prepare.js';
import { createRng } from '../helpers/prng.js';

/** Candidates from `host/path` shorthands, in input order. */
function candidates(...specs: string[]): Candidate[] {
  return specs.map((spec, index) => {
    const host = spec.split('/')[0] ?? spec;
    return { url: `https://${spec}`, host, source: `urls: line ${index + 1}`, order: index + 1 };
  });
}

function shape(packed: Batches): { batches: string[][]; overQuota: string[] } {
  return {
    batches: packed.batches.map((b) => b.items.map((c) => c.url.slice('https://'.length))),
    overQuota: packed.overQuota.map((c) => c.url.slice('https://'.length)),
  };
}

/** Every property packing promises, as a list of violations (empty when all hold). */
function violations(
  input: readonly Candidate[],
  batchSize: number,
  quota: number | undefined,
  packed: Batches,
): string[] {
  const problems: string[] = [];
  const ordered = [...input].sort((a, b) => a.order - b.order);
  const cap = quota === undefined ? ordered.length : Math.max(0, Math.min(quota, ordered.length));
  const expectedPlanned = ordered.slice(0, cap);
  const expectedOver = ordered.slice(cap);

  for (const [i, batch] of packed.batches.entries()) {
    if (batch.items.length === 0) problems.push(`batch ${i} is empty`);
    if (batch.items.length > batchSize) problems.push(`batch ${i} has ${batch.items.length} > ${batchSize}`);
    if (batch.items.some((c) => c.host !== batch.host)) problems.push(`batch ${i} mixes hosts`);
    const orders = batch.items.map((c) => c.order);
    if (orders.some((o, k) => k > 0 && o <= (orders[k - 1] ?? -Infinity)))
      problems.push(`batch ${i} out of order`);
  }
  const firsts = packed.batches.map((b) => b.items[0]?.order ?? NaN);
  if (firsts.some((o, k) => k > 0 && !(o > (firsts[k - 1] ?? -Infinity)))) {
    problems.push(`batches not ordered by first URL: ${firsts.join(',')}`);
  }

  const planned = packed.batches.flatMap((b) => b.items);
  const plannedSet = new Set(planned.map((c) => c.url));
  if (plannedSet.size !== planned.length) problems.push('a URL is planned twice');
  const expectedPlannedSet = new Set(expectedPlanned.map((c) => c.url));
  if (
    plannedSet.size !== expectedPlannedSet.size ||
    [...plannedSet].some((u) => !expectedPlannedSet.has(u))
  ) {
    problems.push('planned URLs are not exactly the first `quota` URLs in input order');
  }
  if (packed.overQuota.map((c) => c.url).join('\n') !== expectedOver.map((c) => c.url).join('\n')) {
    problems.push('overQuota is not the rest, in input order');
  }
  const everything = [...planned, ...packed.overQuota].map((c) => c.url);
  if (everything.length !== input.length || new Set(everything).size !== input.length) {
    problems.push('batches ∪ overQuota is not every input URL exactly once');
  }

  const perHost = new Map<string, number>();
  for (const c of expectedPlanned) perHost.set(c.host, (perHost.get(c.host) ?? 0) + 1);
  const minimum = [...perHost.values()].reduce((sum, n) => sum + Math.ceil(n / batchSize), 0);
  if (packed.batches.length !== minimum)
    problems.push(`${packed.batches.length} batches, minimum is ${minimum}`);
  return problems;
}

describe('packBatches', () => {
  it.each<[string, string[], number, number | undefined, ReturnType<typeof shape>]>([
    ['empty input', [], 100, undefined, { batches: [], overQuota: [] }],
    [
      'one host, fits in one batch',
      ['a/1', 'a/2', 'a/3'],
      100,
      undefined,
      { batches: [['a/1', 'a/2', 'a/3']], overQuota: [] },
    ],
    [
      'one host, split by batch size',
      ['a/1', 'a/2', 'a/3', 'a/4', 'a/5'],
      2,
      undefined,
      { batches: [['a/1', 'a/2'], ['a/3', 'a/4'], ['a/5']], overQuota: [] },
    ],
    [
      'hosts interleaved: one host per batch, batches by first URL',
      ['a/1', 'b/1', 'a/2', 'c/1', 'b/2', 'a/3'],
      2,
      undefined,
      { batches: [['a/1', 'a/2'], ['b/1', 'b/2'], ['c/1'], ['a/3']], overQuota: [] },
    ],
    [
      'quota cuts in input order',
      ['a/1', 'b/1', 'a/2', 'b/2', 'a/3'],
      10,
      3,
      { batches: [['a/1', 'a/2'], ['b/1']], overQuota: ['b/2', 'a/3'] },
    ],
    ['quota 0 plans nothing', ['a/1', 'b/1'], 10, 0, { batches: [], overQuota: ['a/1', 'b/1'] }],
    ['quota larger than the input', ['a/1', 'b/1'], 10, 50, { batches: [['a/1'], ['b/1']], overQuota: [] }],
    ['quota equal to the input', ['a/1', 'a/2'], 1, 2, { batches: [['a/1'], ['a/2']], overQuota: [] }],
    [
      'batch size 1',
      ['a/1', 'b/1', 'a/2'],
      1,
      undefined,
      { batches: [['a/1'], ['b/1'], ['a/2']], overQuota: [] },
    ],
  ])('%s', (_name, specs, batchSize, quota, expected) => {
    const input = candidates(...specs);
    const packed = packBatches(input, batchSize, quota);
    expect(shape(packed)).toEqual(expected);
    expect(violations(input, batchSize, quota, packed)).toEqual([]);
  });

  it('plans by the order field, not by array position', () => {
    const input = candidates('a/1', 'b/1', 'a/2', 'b/2');
    const shuffled = [input[3], input[0], input[2], input[1]].filter((c): c is Candidate => c !== undefined);
    const packed = packBatches(shuffled, 10, 3);
    expect(shape(packed)).toEqual({ batches: [['a/1', 'a/2'], ['b/1']], overQuota: ['b/2'] });
  });

  it('does not modify its input', () => {
    const input = candidates('b/1', 'a/1', 'b/2');
    const copy = structuredClone(input);
    packBatches(input, 1, 2);
    expect(input).toEqual(copy);
  });

  it.each([0, -1, 1.5, NaN])('batch size %s is refused', (batchSize) => {
    expect(() => packBatches(candidates('a/1'), batchSize)).toThrow(/batch size/);
  });

  it('the property checker itself catches a bad packed', () => {
    const input = candidates('a/1', 'b/1', 'a/2');
    const [a1, b1, a2] = input as [Candidate, Candidate, Candidate];
    expect(
      violations(input, 2, undefined, {
        batches: [
          { host: 'a', items: [a1, b1] },
          { host: 'a', items: [a2] },
        ],
        overQuota: [],
      }),
    ).not.toEqual([]);
    expect(
      violations(input, 2, undefined, {
        batches: [
          { host: 'a', items: [a1] },
          { host: 'b', items: [b1] },
          { host: 'a', items: [a2] },
        ],
        overQuota: [],
      }),
    ).not.toEqual([]);
    expect(
      violations(input, 2, 1, { batches: [{ host: 'b', items: [b1] }], overQuota: [a1, a2] }),
    ).not.toEqual([]);
    expect(
      violations(input, 2, undefined, {
        batches: [
          { host: 'b', items: [b1] },
          { host: 'a', items: [a1, a2] },
        ],
        overQuota: [],
      }),
    ).not.toEqual([]);
  });

  it('holds every property over many random inputs', () => {
    const rng = createRng(20240601);
    const failures: string[] = [];
    for (let run = 0; run < 500; run++) {
      const hosts = ['a.com', 'b.com', 'c.org', 'd.net', 'e.io'].slice(0, rng.int(1, 5));
      const count = rng.int(0, 60);
      const input: Candidate[] = [];
      let order = 0;
      for (let i = 0; i < count; i++) {
        order += rng.int(1, 3); // gaps, as after merged duplicates and rejected entries
        const host = rng.pick(hosts);
        input.push({ url: `https://${host}/${i}`, host, source: `urls: line ${i + 1}`, order });
      }
      const batchSize = rng.pick([1, 2, 3, 5, 7, 10, 100]);
      const quota = rng.bool(0.3) ? undefined : rng.int(0, count + 3);
      const packed = packBatches(input, batchSize, quota);
      const problems = violations(input, batchSize, quota, packed);
      if (problems.length)
        failures.push(`run ${run} (n=${count}, size=${batchSize}, quota=${quota}): ${problems.join('; ')}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
