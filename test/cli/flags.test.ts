import { describe, expect, it } from 'vitest';
import { flagKind, flagSpecs, NOT_FLAGS, parseFlags, type FlagSpec } from '../../src/cli/flags.js';
import { UsageError } from '../../src/base/errors.js';
import { renderHelp } from '../../src/cli/help.js';
import { ACTION_INPUTS } from '../../src/config/inputs.generated.js';
import { INPUTS } from '../../src/config/inputs.js';

describe('flagKind', () => {
  it.each([
    ['switch', 'switch'],
    ['optional-switch', 'switch'],
    ['list', 'list'],
    ['text', 'value'],
    ['whole', 'value'],
    ['choice', 'value'],
    ['path', 'value'],
  ] as const)('an input of kind %s is a %s flag', (kind, flag) => {
    expect(flagKind(kind)).toBe(flag);
  });

  it('comes from the spec, not from the wording of the description', () => {
    const reworded = ACTION_INPUTS.map((each) => ({
      ...each,
      description: `Set to true to do it, one per line. ${each.description}`,
    }));
    const kinds = (specs: FlagSpec[]) => specs.map((spec) => [spec.name, spec.kind]);
    expect(kinds(flagSpecs(reworded))).toEqual(kinds(flagSpecs()));
    const byName = new Map(flagSpecs().map((spec) => [spec.name, spec.kind]));
    expect(byName.get('l2-preload')).toBe('switch'); // empty default: a switch because the spec says so
    expect(byName.get('urls')).toBe('list');
    expect(byName.get('exclude')).toBe('list');
    expect(byName.get('batch-size')).toBe('value');
    expect(byName.get('area')).toBe('value');
  });
});

describe('flagSpecs', () => {
  it('turns every input of action.yml into a flag, except the secrets and what is GitHub-only', () => {
    const names = flagSpecs().map((spec) => spec.name);
    expect(names).toEqual(ACTION_INPUTS.map((i) => i.name).filter((name) => !(name in NOT_FLAGS)));
    for (const secret of ['access-key-id', 'access-key-secret', 'security-token', 'github-token']) {
      expect(ACTION_INPUTS.some((i) => i.name === secret)).toBe(true);
      expect(names).not.toContain(secret);
    }
    for (const githubOnly of ['role-arn', 'previous-ref', 'sts-endpoint'])
      expect(names).not.toContain(githubOnly);
  });

  it("takes the spec's defaults, and a description from action.yml with the CLI's notes", () => {
    const byName = new Map(flagSpecs().map((spec) => [spec.name, spec]));
    expect(byName.get('batch-size')?.default).toBe(INPUTS['batch-size'].default);
    expect(byName.get('endpoint')?.default).toBe('https://cdn.aliyuncs.com');
    expect(byName.get('urls')?.description).toMatch(/one per line\..* Repeat the flag for more\.$/);
    expect(byName.get('fail-on')?.description).toMatch(/In the CLI it decides the exit code/);
  });

  it('refuses descriptions that miss an input of the spec', () => {
    expect(() => flagSpecs(ACTION_INPUTS.filter((i) => i.name !== 'wait'))).toThrow(
      'action.yml has no input "wait" to describe the flag',
    );
  });
});

describe('parseFlags', () => {
  const specs: FlagSpec[] = [
    { name: 'urls', kind: 'list', default: '', description: 'URLs.' },
    { name: 'urls-file', kind: 'value', default: '', description: 'A file.' },
    { name: 'batch-size', kind: 'value', default: '100', description: 'Per call.' },
    { name: 'dry-run', kind: 'switch', default: 'false', description: 'Plan only.' },
    { name: 'l2-preload', kind: 'switch', default: '', description: 'L2.' },
  ];
  const parse = (...argv: string[]) => parseFlags(argv, specs);
  const fails = (argv: string[]) => {
    try {
      parse(...argv);
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error(`no error for ${argv.join(' ')}`);
  };

  it('joins a repeated list flag one per line, keeping the order', () => {
    expect(parse('--urls', 'a', '--urls=b', '--urls', 'c').inputs['urls']).toBe('a\nb\nc');
  });

  it.each([
    [['--dry-run'], 'true'],
    [['--no-dry-run'], 'false'],
    [['--dry-run=true'], 'true'],
    [['--dry-run=FALSE'], 'false'],
    [['--dry-run', '--no-dry-run'], 'false'],
    [['--no-dry-run', '--dry-run'], 'true'],
  ])('switch %j → %s', (argv, value) => {
    expect(parse(...argv).inputs['dry-run']).toBe(value);
  });

  it('leaves a tri-state switch unset unless given', () => {
    expect(parse().inputs['l2-preload']).toBeUndefined();
    expect(parse('--no-l2-preload').inputs['l2-preload']).toBe('false');
  });

  it('takes - as a value (standard input) and an empty value with =', () => {
    expect(parse('--urls-file', '-').inputs['urls-file']).toBe('-');
    expect(parse('--batch-size=').inputs['batch-size']).toBe('');
  });

  it("reads the CLI's own flags", () => {
    expect(parse('--json', '--verbose', '-h', '--version')).toMatchObject({
      json: true,
      verbose: true,
      help: true,
      version: true,
      inputs: {},
    });
  });

  it.each([
    [['--bach-size', '3'], 'unknown flag --bach-size; did you mean --batch-size?'],
    [['--zzz'], 'unknown flag --zzz'],
    [['-x'], 'unknown flag -x'],
    [['--urls-file'], '--urls-file needs a value, like --urls-file urls.txt'],
    [['--urls-file', '--dry-run'], '--urls-file needs a value'],
    [['--batch-size', '1', '--batch-size', '2'], '--batch-size is given twice; it takes one value'],
    [['--dry-run=yes'], '--dry-run is a switch: write --dry-run or --no-dry-run'],
    [['--no-dry-run=true'], '--no-dry-run is a switch'],
    [['--dry-run', 'true'], 'unexpected "true": --dry-run is a switch and takes no value'],
    [
      ['https://www.example.com/'],
      'unexpected "https://www.example.com/": every value belongs to a flag, like --urls https://www.example.com/',
    ],
    [['--json=1'], '--json takes no value'],
    [
      ['--access-key-secret', 's3cr3t'],
      '--access-key-secret is not a flag of the command line: set the ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variable instead',
    ],
  ])('%j → %s', (argv, message) => {
    const text = fails(argv);
    expect(text.startsWith(message)).toBe(true);
    expect(text).not.toContain('s3cr3t');
  });
});

describe('renderHelp', () => {
  const specs = flagSpecs();
  const help = renderHelp(specs, 80);

  it('lists every flag with its default', () => {
    const flat = help.replace(/\s+/g, ' ');
    for (const spec of specs) {
      expect(help).toMatch(new RegExp(`^  --${spec.name}\\b`, 'm'));
      if (spec.default) expect(flat).toContain(`(default: ${spec.default})`);
    }
    expect(help).toMatch(/^ {2}--dry-run, --no-dry-run/m);
  });

  it('keeps within the width, but for words longer than it', () => {
    for (const line of help.split('\n')) {
      if (line.length > 80) expect(line.trim()).not.toContain(' ');
    }
  });
});
