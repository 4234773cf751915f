/**
 * The sitemap's documents (the deployed sitemap, the baseline, a child of an index) that could not be
 * used. Callers act on the class: not found (a missing baseline counts every URL as added), an HTML page
 * in its place (counts as not found), or unreadable (`transient` when another try may help).
 */

/** The document does not exist: no such file, HTTP 404/410, or no such path at the git ref. */
export class DocumentNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentNotFoundError';
  }
}

/**
 * An HTML page where a sitemap was expected (a `<html>` root, or a `text/html` answer that is not a
 * sitemap). Hosts answer a missing file with 200 and a page, so it counts as not found.
 */
export class HtmlPageError extends DocumentNotFoundError {
  constructor(message: string) {
    super(message);
    this.name = 'HtmlPageError';
  }
}

/**
 * A document that may exist but could not be read. `transient` when another try may succeed: an
 * HTTP 5xx, 408 or 429, no answer at all (reset, refused, DNS), or a timeout.
 */
export class DocumentReadError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DocumentReadError';
  }
}
