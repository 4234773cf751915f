/**
 * Who reads the run's messages. A message that tells a person what to change names it as that person
 * can change it: in a workflow, the action's inputs (`dry-run: true`) and paths relative to the
 * workspace; on the command line, its flags (`--dry-run`), the ALIBABA_CLOUD_* variables (the keys are
 * never flags), and paths relative to the current directory. The adapters pick one; the core words its
 * advice through it and never guesses where it runs.
 */
export interface Wording {
  readonly surface: 'action' | 'cli';
  /** An input as the reader writes it: `site-dir`, or `--site-dir`. */
  input(name: string): string;
  /** A setting as the reader writes it: `dry-run: true`, or `--dry-run`; `daily-quota: 300`, `--daily-quota 300`. */
  setting(name: string, value: string): string;
  /** An input that holds a credential: `access-key-id (or ALIBABA_CLOUD_ACCESS_KEY_ID)`, or the variable alone. */
  secret(name: string, variable: string): string;
  /** What relative paths start from: `the workspace`, or `the current directory`. */
  readonly relativeTo: string;
  /** Where the run runs: `the runner`, or `this machine`. */
  readonly machine: string;
  /** Where every URL of the run is listed with its reason, for "see …". */
  readonly everyUrl: string;
}

/** In a workflow: inputs, the workspace, the job summary. */
export const ACTION_WORDING: Wording = {
  surface: 'action',
  input: (name) => name,
  setting: (name, value) => `${name}: ${value}`,
  secret: (name, variable) => `${name} (or ${variable})`,
  relativeTo: 'the workspace',
  machine: 'the runner',
  everyUrl: 'the job summary and the report',
};

/** On the command line: flags, the current directory, the closing lines (and --json or --report). */
export const CLI_WORDING: Wording = {
  surface: 'cli',
  input: (name) => `--${name}`,
  setting: (name, value) => (value === 'true' ? `--${name}` : `--${name} ${value}`),
  secret: (_name, variable) => variable,
  relativeTo: 'the current directory',
  machine: 'this machine',
  everyUrl: 'the closing lines (every URL with --json or --report)',
};
