/**
 * How much memory the process lets its heap take before it collects. V8's default suits interactive
 * programs: after each full collection it lets the heap grow to several times the data still in use
 * before the next one (up to 4x on a machine with 16 GB or more). A run is a batch job whose live data
 * grows phase by phase — on a site of a million files, to some 500 MB at the send — so the default let
 * it reach 1.2-1.6 GB of memory, most of it garbage never collected. Growing by a fifth at a time keeps
 * the peak near the live data (about 900 MB there) for a few percent more CPU time; small runs do not
 * notice. Measured by `npm run bench` (the site section's million files).
 */
import { setFlagsFromString } from 'node:v8';

/** How far the heap may grow past the live data after a full collection, in percent. */
export const HEAP_GROWING_PERCENT = 20;

/** Set once, by the adapters, before the run: the flag is read at every collection. */
export function keepHeapNearLiveData(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
