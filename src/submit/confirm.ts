/**
 * When a PushObjectCache call was sent but its outcome is unknown (the connection dropped after
 * sending, the answer timed out or could not be read), resending blindly could spend quota twice.
 * Instead the batch is looked up with DescribeRefreshTasks, and only what is not there is resent.
 */
import type { AlibabaClient } from '../alibaba/client.js';
import { AlibabaError } from '../base/errors.js';
import { describeRefreshTasks } from '../alibaba/operations.js';
import { isoSeconds } from '../alibaba/signer.js';
import type { Candidate } from '../urls/prepare.js';
import { normalizeUrl } from '../urls/normalize.js';
import { withRetries, type RetryPolicy } from '../runtime/retry.js';

/** Tasks are looked up from this long before the send, so that a runner clock a little fast still finds them. */
const CLOCK_MARGIN_MS = 60_000;

export type Confirmation =
  /** URL → task ID of every URL found; the others were not accepted. */
  | { kind: 'looked-up'; found: Map<string, string> }
  /** The look-up itself failed: nobody can say whether the batch was accepted. */
  | { kind: 'unknown'; error: AlibabaError };

/**
 * Looks the batch up. A PushObjectCache call is accepted or refused as a whole, so the first and last
 * URLs decide it in two look-ups; only if they disagree is every URL looked up.
 */
export async function confirmBatch(
  client: AlibabaClient,
  items: readonly Candidate[],
  sentAt: Date,
  retryPolicy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<Confirmation> {
  const startTime = isoSeconds(new Date(sentAt.getTime() - CLOCK_MARGIN_MS));
  const lookUp = (item: Candidate): Promise<string | undefined> =>
    withRetries(() => findTask(client, item.url, startTime), retryPolicy, signal ? { signal } : {});
  try {
    const ends = items.length > 1 ? [items[0], items[items.length - 1]] : [items[0]];
    const found = new Map<string, string>();
    for (const item of ends) {
      if (!item) continue;
      const taskId = await lookUp(item);
      if (taskId !== undefined) found.set(item.url, taskId);
    }
    if (found.size === 0) return { kind: 'looked-up', found };
    if (found.size === ends.length) {
      const taskIds = [...new Set(found.values())].join(',');
      return {
        kind: 'looked-up',
        found: new Map(items.map((item) => [item.url, found.get(item.url) ?? taskIds])),
      };
    }
    for (const item of items) {
      if (found.has(item.url)) continue;
      const taskId = await lookUp(item);
      if (taskId !== undefined) found.set(item.url, taskId);
    }
    return { kind: 'looked-up', found };
  } catch (error) {
    if (error instanceof AlibabaError) return { kind: 'unknown', error };
    throw error;
  }
}

async function findTask(client: AlibabaClient, url: string, startTime: string): Promise<string | undefined> {
  const { tasks } = await describeRefreshTasks(client, {
    objectPath: url,
    objectType: 'preload',
    startTime,
    endTime: isoSeconds(new Date(Date.now() + CLOCK_MARGIN_MS)),
    pageSize: 100,
  });
  const match = tasks.find((task) => {
    const normalized = normalizeUrl(task.objectPath);
    return normalized.ok && normalized.url === url && task.objectType.toLowerCase() === 'preload';
  });
  return match?.taskId;
}
