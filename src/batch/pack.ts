/**
 * Packs URLs into PushObjectCache calls: at most `batchSize` URLs and one host per call (task IDs and
 * domain errors are per domain), no more calls than that requires, and never more URLs than the
 * quota allows — the quota is spent exactly, on the earliest URLs.
 */
import type { Candidate } from '../urls/prepare.js';

export interface Batch {
  host: string;
  items: Candidate[];
}

export interface Batches {
  batches: Batch[];
  /** URLs beyond the quota, in input order. */
  overQuota: Candidate[];
}

/** `quota` undefined means no cap. Input order is kept: by host of first appearance, then within a host. */
export function packBatches(candidates: readonly Candidate[], batchSize: number, quota?: number): Batches {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batch size must be >= 1, not ${batchSize}`);
  const ordered = [...candidates].sort((a, b) => a.order - b.order);
  const cap = quota === undefined ? ordered.length : Math.max(0, Math.min(quota, ordered.length));
  const chosen = ordered.slice(0, cap);

  const byHost = new Map<string, Candidate[]>();
  for (const item of chosen) {
    const list = byHost.get(item.host);
    if (list) list.push(item);
    else byHost.set(item.host, [item]);
  }
  const batches: Batch[] = [];
  for (const [host, items] of byHost) {
    for (let start = 0; start < items.length; start += batchSize) {
      batches.push({ host, items: items.slice(start, start + batchSize) });
    }
  }
  // Earliest URL first, so that a run cut short has sent the URLs the user listed first.
  batches.sort((a, b) => (a.items[0]?.order ?? 0) - (b.items[0]?.order ?? 0));
  return { batches, overQuota: ordered.slice(cap) };
}
