/** The error answer of an API call: HTTP status, Alibaba error Code and Message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (x-acs-retry-after on throttling). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Alibaba's wording for a missing mandatory parameter. */
export function missingParameter(name: string): ApiError {
  return new ApiError(
    400,
    'MissingParameter',
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );
}

export function invalidParameter(name: string, value: string, why = ''): ApiError {
  return new ApiError(
    400,
    'InvalidParameter',
    `The specified parameter "${name}" is not valid: "${value}"${why ? ` (${why})` : ''}.`,
  );
}

/** What the console's error centre recommends, so the error body has Alibaba's shape. */
export function recommendFor(code: string): string {
  return `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}`;
}
