/** Properties of packing URLs into batches over random inputs. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packBatches } from '../../src/batch/pack.js';
import type { Candidate } from '../../src/urls/prepare.js';

const candidates = fc
  .array(fc.constantFrom('a.example.com', 'b.example.com', 'c.example.com', 'd.example.com'), {
    maxLength: 600,
  })
  .map((hosts) =>
    hosts.map((host, i): Candidate => ({
      url: `https://${host}/${i}`,
      host,
      source: `urls: line ${i + 1}`,
      order: i + 1,
    })),
  );

describe('packBatches properties', () => {
  it('keeps every limit, spends the quota on the earliest URLs, and loses nothing', () => {
    fc.assert(
      fc.property(
        candidates,
        fc.integer({ min: 1, max: 100 }),
        fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined }),
        (items, batchSize, quota) => {
          const packed = packBatches(items, batchSize, quota);
          const planned = packed.batches.flatMap((b) => b.items);
          for (const batch of packed.batches) {
            expect(batch.items.length).toBeGreaterThan(0);
            expect(batch.items.length).toBeLessThanOrEqual(Math.min(batchSize, 100));
            expect(new Set(batch.items.map((i) => i.host))).toEqual(new Set([batch.host]));
            // Input order kept within a batch.
            expect(batch.items.map((i) => i.order)).toEqual(
              [...batch.items.map((i) => i.order)].sort((a, b) => a - b),
            );
          }
          const cap = quota ?? Infinity;
          expect(planned.length).toBe(Math.min(items.length, cap));
          // The quota goes to the earliest URLs; what does not fit keeps its order.
          const maxPlanned = Math.max(0, ...planned.map((i) => i.order));
          expect(packed.overQuota.every((i) => i.order > maxPlanned)).toBe(true);
          expect(packed.overQuota.map((i) => i.order)).toEqual(
            [...packed.overQuota.map((i) => i.order)].sort((a, b) => a - b),
          );
          expect(planned.length + packed.overQuota.length).toBe(items.length);
          // No more calls than the limits require.
          const perHost = new Map<string, number>();
          for (const item of planned) perHost.set(item.host, (perHost.get(item.host) ?? 0) + 1);
          const minimal = [...perHost.values()].reduce((sum, n) => sum + Math.ceil(n / batchSize), 0);
          expect(packed.batches.length).toBe(minimal);
          // Batches go out earliest first.
          const firsts = packed.batches.map((b) => b.items[0]?.order ?? 0);
          expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
