/**
 * From raw entries to the distinct URLs worth sending: normalize, merge duplicates, apply the domain
 * allow-list. Everything that will not be sent leaves here with its reason, so nothing is lost.
 */
import type { UrlOutcome } from '../base/outcome.js';
import { isAllowedHost } from './domains.js';
import type { ExcludeMatcher } from './exclude.js';
import { normalizeUrl, visible } from './normalize.js';

/** One line of a URL source, before normalization. */
export interface UrlEntry {
  /** The line as written, trimmed. */
  raw: string;
  /** `urls: line 3` or `urls-file urls.txt: line 3`: what an error message names. */
  source: string;
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
}

export interface PrepareOptions {
  baseUrl?: string | undefined;
  domains: readonly string[];
  exclude?: ExcludeMatcher | undefined;
}

export function prepareUrls(entries: readonly UrlEntry[], options: PrepareOptions): PreparedUrls {
  const seen = new Set<string>();
  const candidates: Candidate[] = [];
  const rejected: UrlOutcome[] = [];
  let duplicates = 0;
  for (const entry of entries) {
    const normalized = normalizeUrl(entry.raw, options.baseUrl);
    const key = normalized.ok ? normalized.url : `invalid:${entry.raw}`;
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    const order = seen.size;
    if (!normalized.ok) {
      rejected.push({
        url: entry.raw,
        status: 'failed',
        reason: `${entry.source} "${visible(entry.raw)}" ${normalized.reason}`,
        source: entry.source,
        order,
      });
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
      candidates.push({ url: normalized.url, host: normalized.host, source: entry.source, order });
    }
  }
  return { candidates, rejected, duplicates };
}
