/**
 * From raw entries to the distinct URLs worth sending: normalize, merge duplicates, apply the domain
 * allow-list. Everything that will not be sent leaves here with its reason, so nothing is lost.
 */
import type { SitemapChange, UrlChange, UrlOutcome } from '../base/outcome.js';
import { isAllowedHost } from './domains.js';
import type { ExcludeMatcher } from './exclude.js';
import { normalizeUrl, visible, type NormalizeResult } from './normalize.js';

/** Why a sitemap diff or site-dir selected an entry: what its report row says. */
export type EntryChange = SitemapEntryChange | SiteEntryChange;

/** Why the sitemap diff selected an entry. Lastmods are ms since the epoch, NaN when absent. */
export interface SitemapEntryChange {
  change: SitemapChange;
  lastmod: number;
  previousLastmod: number;
}

/** Why site-dir planned an entry: its file changed (or, with `changes: all`, not), or it is carried. */
export interface SiteEntryChange {
  change: UrlChange;
  /** A modified page whose own content is unchanged. */
  chromeOnly: boolean;
  /** A carried URL: the UTC day it was first planned. */
  carriedSince?: string | undefined;
  /** A carried URL: what the deploy that first planned it saw (whether it changed in place). */
  firstChange?: Exclude<UrlChange, 'carried'> | undefined;
  /** A carried URL an earlier run refreshed: when. */
  refreshedAt?: string | undefined;
}

/** One line of a URL source, before normalization. */
export interface UrlEntry {
  /** The line as written, trimmed. */
  raw: string;
  /** `urls: line 3` or `urls-file urls.txt: line 3`: what an error message names. */
  source: string;
  /** From the sitemap diff: why it is there. */
  change?: EntryChange | undefined;
  /** Known already not to be a usable URL (a sitemap `<loc>`), and why: it becomes a failed outcome. */
  invalid?: string | undefined;
}

export interface Candidate {
  url: string;
  host: string;
  source: string;
  order: number;
}

export interface PreparedUrls {
  /** Distinct, valid, allowed URLs in input order. */
  candidates: Candidate[];
  /** Invalid entries (failed) and hosts outside the allow-list (skipped). */
  rejected: UrlOutcome[];
  /** Entries merged into an earlier one. */
  duplicates: number;
  /** Why the sitemap diff selected each of its entries, by `order`. */
  changes: Map<number, EntryChange>;
  /** Invalid entries (failed), counted by what is wrong with them, for one log line per reason. */
  invalidByReason: Map<string, { count: number; examples: string[] }>;
}

const EXAMPLES = 3;

export interface PrepareOptions {
  baseUrl?: string | undefined;
  domains: readonly string[];
  exclude?: ExcludeMatcher | undefined;
}

export function prepareUrls(entries: readonly UrlEntry[], options: PrepareOptions): PreparedUrls {
  /** Normal form → the order of its first entry. */
  const seen = new Map<string, number>();
  const candidates: Candidate[] = [];
  const rejected: UrlOutcome[] = [];
  const changes = new Map<number, EntryChange>();
  const invalidByReason = new Map<string, { count: number; examples: string[] }>();
  let duplicates = 0;
  // One string per host: a million URLs of one site would otherwise hold a million copies of it.
  const hosts = new Map<string, string>();
  for (const entry of entries) {
    const normalized: NormalizeResult =
      entry.invalid === undefined
        ? normalizeUrl(entry.raw, options.baseUrl)
        : { ok: false, reason: entry.invalid };
    const key = normalized.ok ? normalized.url : `invalid:${entry.raw}`;
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates++;
      // A list entry that a site-dir or sitemap entry repeats: what changed about it still counts
      // (whether it is refreshed first depends on it).
      if (entry.change !== undefined && !changes.has(first)) changes.set(first, entry.change);
      continue;
    }
    const order = seen.size + 1;
    seen.set(key, order);
    if (entry.change !== undefined) changes.set(order, entry.change);
    if (!normalized.ok) {
      const written = `${entry.source} "${shorten(visible(entry.raw))}"`;
      rejected.push({
        url: entry.raw,
        status: 'failed',
        reason: `${written} ${normalized.reason}`,
        source: entry.source,
        order,
      });
      const group = invalidByReason.get(normalized.reason) ?? { count: 0, examples: [] };
      group.count++;
      if (group.examples.length < EXAMPLES) group.examples.push(written);
      invalidByReason.set(normalized.reason, group);
    } else if (options.exclude?.match(normalized.url) !== undefined) {
      rejected.push({
        url: normalized.url,
        status: 'skipped',
        reason: `excluded by ${options.exclude.match(normalized.url)}`,
        skip: 'excluded',
        source: entry.source,
        order,
      });
    } else if (!isAllowedHost(normalized.host, options.domains)) {
      rejected.push({
        url: normalized.url,
        status: 'skipped',
        reason: `host ${normalized.host} is not in domains`,
        skip: 'domains',
        source: entry.source,
        order,
      });
    } else {
      let host = hosts.get(normalized.host);
      if (host === undefined) hosts.set(normalized.host, (host = normalized.host));
      candidates.push({ url: normalized.url, host, source: entry.source, order });
    }
  }
  return { candidates, rejected, duplicates, changes, invalidByReason };
}

/** An entry as a reason quotes it: whole up to a screenful, cut beyond. */
function shorten(raw: string): string {
  return raw.length > 200 ? `${raw.slice(0, 197)}...` : raw;
}
