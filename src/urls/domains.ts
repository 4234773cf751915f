/**
 * The `domains` allow-list. `*.example.com` covers subdomains only, not example.com itself, as in
 * TLS certificates and Alibaba's wildcard domains.
 */
import { ConfigError } from '../base/errors.js';

const HOST_PATTERN = /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/** Parses the input, one host per line; blank lines and `#` comments are ignored. */
export function parseDomainPatterns(text: string): string[] {
  const patterns: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const value = line.trim().toLowerCase();
    if (value === '' || value.startsWith('#')) return;
    if (!HOST_PATTERN.test(value)) {
      throw new ConfigError(
        `domains: line ${index + 1} "${line.trim()}" is not a host name; write it like www.example.com or *.example.com`,
      );
    }
    patterns.push(value);
  });
  return patterns;
}

/** Whether `host` is allowed; an empty list allows every host. */
export function isAllowedHost(host: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) =>
    pattern.startsWith('*.')
      ? host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1
      : host === pattern,
  );
}
