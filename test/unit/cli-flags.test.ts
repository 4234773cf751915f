import { describe, expect, it } from 'vitest';
import { flagKind, flagSpecs, NOT_FLAGS, parseFlags, type FlagSpec } from '../../src/cli/flags.js';
import { UsageError } from '../../src/base/errors.js';
import { renderHelp } from '../../src/cli/help.js';
import { ACTION_INPUTS, type ActionInput } from '../../src/config/inputs.generated.js';

const input = (name: string, description: string, fallback = ''): ActionInput => ({
  name,
  description,
  default: fallback,
  required: false,
});

describe('flagKind', () => {
  it.each([
    [input('dry-run', 'Plan only.', 'false'), 'switch'],
    [input('include-images', 'Also images.', 'true'), 'switch'],
    [input('l2-preload', 'true to require L2 nodes. Empty: not sent.'), 'switch'],
    [input('urls', 'URLs to prefetch, one per line.'), 'list'],
    [input('exclude', 'Patterns, one per line, of URLs to leave out.'), 'list'],
    [input('batch-size', 'URLs per call.', '100'), 'value'],
    [input('area', 'domestic or overseas.'), 'value'],
  ] as const)('%j is a %s', (spec, kind) => {
    expect(flagKind(spec)).toBe(kind);
  });
});

describe('flagSpecs', () => {
  it('turns every input of action.yml into a flag, except the secrets and what is GitHub-only', () => {
    const names = flagSpecs(ACTION_INPUTS).map((spec) => spec.name);
    expect(names).toEqual(ACTION_INPUTS.map((i) => i.name).filter((name) => !(name in NOT_FLAGS)));
    for (const secret of ['access-key-id', 'access-key-secret', 'security-token']) {
      expect(ACTION_INPUTS.some((i) => i.name === secret)).toBe(true);
      expect(names).not.toContain(secret);
    }
  });

  it('picks up an input added to action.yml, and leaves out GitHub-only ones whatever their order', () => {
    const specs = flagSpecs([
      input('sitemap', 'Sitemap URL or path.'),
      input('github-token', 'Token.', '${{ github.token }}'),
      input('wait', 'Wait for the tasks.', 'false'),
      input('role-arn', 'RAM role.'),
    ]);
    expect(specs.map((s) => [s.name, s.kind])).toEqual([
      ['sitemap', 'value'],
      ['wait', 'switch'],
    ]);
  });

  it('drops a default that only the runner can expand', () => {
    const [spec] = flagSpecs([input('session', 'Name.', 'cdn-prefetch-${{ github.run_id }}')]);
    expect(spec?.default).toBe('');
  });

  it("refuses an input named like one of the CLI's own flags", () => {
    expect(() => flagSpecs([input('json', 'x')])).toThrow(/collides with the CLI's own --json/);
  });
});

describe('parseFlags', () => {
  const specs: FlagSpec[] = flagSpecs([
    input('urls', 'URLs, one per line.'),
    input('urls-file', 'A file.'),
    input('batch-size', 'Per call.', '100'),
    input('dry-run', 'Plan only.', 'false'),
    input('l2-preload', 'true to require L2.'),
    input('access-key-secret', 'Secret.'),
  ]);
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
  const specs = flagSpecs(ACTION_INPUTS);
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
