/** The message of anything thrown, for the one place that reports failures. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
