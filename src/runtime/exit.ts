/**
 * The last resort against a hang. Every request, timer and retry of a run ends with it (tests hold
 * that no handle is left), so the process exits by itself once the adapter has written everything.
 * Should something still hold it open — a socket inside a library out of our reach — it exits anyway
 * after `graceMs`, naming what was left: on a runner, a hang burns the job's six hours.
 */
export function exitWhenIdle(graceMs: number, warn: (message: string) => void): void {
  const timer = setTimeout(() => {
    const open = process
      .getActiveResourcesInfo()
      .filter((resource) => resource !== 'Timeout' && resource !== 'TTYWrap');
    warn(
      `cdn-prefetch: still running ${graceMs / 1000} s after the run ended (open: ${open.join(', ') || 'nothing known'}); exiting.`,
    );
    process.exit();
  }, graceMs);
  // Never the reason the process stays: a clean run exits at once.
  timer.unref();
}
