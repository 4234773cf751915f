/**
 * Every configuration mistake of a run, reported together: a person fixes them all in one go instead
 * of meeting them one failed run at a time.
 */
import { ConfigError } from '../base/errors.js';
import type { InputName, InputValue, ReadInputs } from './inputs.js';

/** Several configuration errors at once; `errors` keeps each one, with the input it names. */
export class ConfigErrors extends ConfigError {
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[]) {
    super(`${errors.length} problems to fix:\n` + errors.map((error) => `  - ${error.message}`).join('\n'));
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

/** The errors inside a configuration error: itself, or each one of a ConfigErrors. */
export function configErrorsOf(error: ConfigError): readonly ConfigError[] {
  return error instanceof ConfigErrors ? error.errors : [error];
}

/** Thrown by `CheckedInputs.get` for an input already reported: the check that needed it cannot run. */
class AlreadyReported extends Error {}

/** The inputs' values, with the errors found so far; the checks of combinations add theirs. */
export class CheckedInputs {
  private readonly errors: ConfigError[];

  constructor(private readonly read: ReadInputs) {
    this.errors = [...read.errors];
  }

  /** An input's value. Inside `check`, an input whose value was wrong stops that check. */
  get<N extends InputName>(name: N): InputValue<N> {
    if (this.read.failed.has(name)) throw new AlreadyReported(name);
    return this.read.values[name];
  }

  /**
   * Runs one check of a combination, recording its ConfigError. A check that needs a wrong input is
   * skipped: that input is reported already, and a guess in its place would only add false errors.
   * The placeholder returned then is never used: `throwIfAny` throws before the config is built.
   */
  check<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof ConfigError) this.errors.push(error);
      else if (!(error instanceof AlreadyReported)) throw error;
      return undefined as T;
    }
  }

  throwIfAny(): void {
    const [first] = this.errors;
    if (first === undefined) return;
    throw this.errors.length === 1 ? first : new ConfigErrors(this.errors);
  }
}
