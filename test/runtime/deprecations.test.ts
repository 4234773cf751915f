import { describe, expect, it } from 'vitest';
import { BUNDLED_DEPRECATIONS } from '../../src/runtime/deprecations.js';

/** The warnings the process emits (and Node would print) while `act` runs. */
async function warningsOf(act: () => void): Promise<string[]> {
  const seen: string[] = [];
  const listener = (warning: Error & { code?: string }): void => {
    seen.push(warning.code ?? warning.message);
  };
  process.on('warning', listener);
  try {
    act();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    return seen;
  } finally {
    process.off('warning', listener);
  }
}

describe('the deprecations of bundled dependencies', () => {
  it('are not emitted: url.parse (DEP0169) and punycode (DEP0040), in both forms of emitWarning', async () => {
    expect([...BUNDLED_DEPRECATIONS]).toEqual(['DEP0040', 'DEP0169']);
    const seen = await warningsOf(() => {
      process.emitWarning('`url.parse()` behavior is not standardized', 'DeprecationWarning', 'DEP0169');
      process.emitWarning('The `punycode` module is deprecated', {
        type: 'DeprecationWarning',
        code: 'DEP0040',
      });
    });
    expect(seen).toEqual([]);
  });

  it('every other warning still is, with its code', async () => {
    const seen = await warningsOf(() => {
      process.emitWarning('something else', 'DeprecationWarning', 'DEP0999');
      process.emitWarning('a warning of ours', { code: 'CDN_PREFETCH_TEST' });
      process.emitWarning('no code at all');
    });
    expect(seen).toEqual(['DEP0999', 'CDN_PREFETCH_TEST', 'no code at all']);
  });
});
