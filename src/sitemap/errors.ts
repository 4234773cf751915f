/**
 * The failures a sitemap read can end in. Callers treat them differently: a missing baseline is
 * normal (every URL is new), an unreadable one is a warning, and a configuration mistake always
 * stops the step, even while reading the baseline.
 */

/** The document does not exist: no such file, HTTP 404/410, or no such path at the git ref. */
export class DocumentNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentNotFoundError';
  }
}

/** A mistake only the workflow's author can fix (inputs, token permissions); never downgraded to a warning. */
export class SitemapConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SitemapConfigError';
  }
}
