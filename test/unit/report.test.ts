import { describe, expect, it } from 'vitest';
import type { FailOn } from '../../src/report/verdict.js';
import { countOutcomes, type UrlOutcome } from '../../src/base/outcome.js';
import { renderSummary } from '../../src/report/summary.js';
import { reportJson } from '../../src/report/report.js';
import { verdict } from '../../src/report/verdict.js';
import type { RunResult } from '../../src/base/result.js';
import { createRedactor } from '../../src/base/redact.js';

function result(outcomes: UrlOutcome[], extra: Partial<RunResult> = {}): RunResult {
  return {
    outcomes,
    counts: countOutcomes(outcomes),
    taskIds: [],
    requestIds: [],
    duplicates: 0,
    dryRun: false,
    calls: 0,
    retries: 0,
    confirmedByLookup: 0,
    apiCalls: {},
    ...extra,
  };
}

let order = 0;
const submitted = (url = `https://a.com/${++order}`): UrlOutcome => ({
  url,
  status: 'submitted',
  taskId: '1',
  order: ++order,
});
const failed = (url = `https://a.com/f${++order}`, reason = 'InvalidObjectPath.Malformed'): UrlOutcome => ({
  url,
  status: 'failed',
  reason,
  order: ++order,
});
const skipped = (skip: 'quota' | 'domains' | 'excluded'): UrlOutcome => ({
  url: `https://a.com/s${++order}`,
  status: 'skipped',
  skip,
  reason: `skipped: ${skip}`,
  order: ++order,
});

describe('verdict', () => {
  const fatal = 'PushObjectCache: Forbidden.RAM. Grant cdn:PushObjectCache';
  it.each<[string, RunResult, Record<FailOn, boolean>]>([
    ['all submitted', result([submitted(), submitted()]), { error: false, skipped: false, never: false }],
    ['nothing at all', result([]), { error: false, skipped: false, never: false }],
    ['a failed URL', result([submitted(), failed()]), { error: true, skipped: true, never: false }],
    ['a quota skip', result([submitted(), skipped('quota')]), { error: false, skipped: true, never: false }],
    [
      'a domains skip',
      result([submitted(), skipped('domains')]),
      { error: false, skipped: false, never: false },
    ],
    [
      'only domains skips',
      result([skipped('domains'), skipped('domains')]),
      { error: false, skipped: false, never: false },
    ],
    [
      'quota and domains skips',
      result([skipped('domains'), skipped('quota')]),
      { error: false, skipped: true, never: false },
    ],
    ['fatal, nothing else', result([], { fatal }), { error: true, skipped: true, never: true }],
    [
      'fatal with submitted URLs',
      result([submitted()], { fatal }),
      { error: true, skipped: true, never: true },
    ],
  ])('%s', (_name, run, fails) => {
    for (const failOn of ['error', 'skipped', 'never'] as const) {
      const message = verdict(run, failOn);
      expect(message !== undefined, `fail-on: ${failOn}`).toBe(fails[failOn]);
      if (message !== undefined) expect(message.length).toBeGreaterThan(0);
    }
  });

  it('a fatal error is the message', () => {
    expect(verdict(result([], { fatal }), 'never')).toBe(fatal);
  });

  it('the failure message counts the failed URLs', () => {
    expect(verdict(result([submitted(), failed(), failed()]), 'error')).toMatch(/\b2\b/);
  });
});

describe('renderSummary', () => {
  it('shows the counts', () => {
    const summary = renderSummary(
      result([submitted(), submitted(), failed(), skipped('quota')]),
      '/tmp/report.json',
    );
    expect(summary).toContain('| submitted | 2 |');
    expect(summary).toContain('| failed | 1 |');
    expect(summary).toContain('| skipped | 1 |');
    expect(summary).toContain('/tmp/report.json');
  });

  it.each<[number, boolean]>([
    [1, false],
    [50, false],
    [51, true],
    [120, true],
  ])('%i failed URLs: lists at most 50, then "…and N more"', (count, more) => {
    const failures = Array.from({ length: count }, (_, i) => failed(`https://a.com/failed-${i}.png`));
    const summary = renderSummary(result([submitted(), ...failures]), 'report.json');
    const listed = failures.filter((f) => summary.includes(`| ${f.url} |`)).length;
    expect(listed).toBe(Math.min(count, 50));
    for (const f of failures.slice(0, 50)) expect(summary).toContain(f.url);
    for (const f of failures.slice(50)) expect(summary).not.toContain(`${f.url} |`);
    if (more) expect(summary).toContain(`…and ${count - 50} more`);
    else expect(summary).not.toContain('more in the report');
    expect(summary).toContain(`(${count})`);
  });

  it('escapes | in URLs and reasons so the table keeps its columns', () => {
    const outcome = failed('https://a.com/a|b?x=1|2', 'urls: line 3 "a|b" is bad\nsecond line');
    const summary = renderSummary(result([outcome]), 'report.json');
    const row = summary.split('\n').find((line) => line.includes('a.com/a'));
    expect(row).toBeDefined();
    expect(row).toContain('https://a.com/a\\|b?x=1\\|2');
    expect(row).toContain('"a\\|b"');
    // Three columns: four unescaped pipes.
    expect(row?.replace(/\\\|/g, '').split('|')).toHaveLength(5);
    expect(summary).not.toContain('is bad\nsecond line');
  });

  it('lists skipped URLs too', () => {
    const summary = renderSummary(result([skipped('domains')]), 'report.json');
    expect(summary).toMatch(/Skipped \(1\)/);
    expect(summary).toContain('skipped: domains');
  });

  it('tells failed URLs whose outcome is unknown apart from refused ones, in the summary and the report', () => {
    const unknown: UrlOutcome = {
      ...failed(
        'https://a.com/u',
        'outcome unknown: PushObjectCache: ECONNRESET; …, so it was not sent again',
      ),
      outcomeUnknown: true,
    };
    const run = result([submitted(), failed(), unknown]);
    const summary = renderSummary(run, 'report.json');
    expect(summary).toContain('| failed | 2 |');
    expect(summary).toContain('1 of the failed URLs have an unknown outcome');
    expect(renderSummary(result([failed()]), 'report.json')).not.toContain('unknown outcome');
    const report = JSON.parse(reportJson(run, (text) => text)) as {
      counts: { failed: number };
      outcomeUnknown: number;
      urls: { url: string; outcomeUnknown?: boolean }[];
    };
    expect([report.counts.failed, report.outcomeUnknown]).toEqual([2, 1]);
    expect(report.urls.filter((u) => u.outcomeUnknown).map((u) => u.url)).toEqual(['https://a.com/u']);
  });

  it('shows a fatal error', () => {
    expect(
      renderSummary(result([], { fatal: 'Forbidden.RAM: grant cdn:PushObjectCache' }), 'r.json'),
    ).toContain('Forbidden.RAM: grant cdn:PushObjectCache');
  });
});

describe('createRedactor', () => {
  const secret = 'Xk29SECRETa8Fq0ZpLm3';
  const token = 'CAIS+token/with=special.chars*(x)?';
  it.each<[string, string]>([
    ['one occurrence', `key ${secret} end`],
    ['many occurrences', `${secret}${secret} and ${secret}\n${secret}`],
    ['in JSON', JSON.stringify({ secret, nested: [secret] })],
    ['a token with regex metacharacters', `Authorization: ${token}; again ${token}`],
  ])('removes every occurrence: %s', (_name, text) => {
    const redact = createRedactor([secret, token, undefined]);
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(token);
    expect(out).toContain('***');
  });

  it('leaves text without secrets unchanged', () => {
    const redact = createRedactor([secret]);
    expect(redact('https://a.com/x submitted')).toBe('https://a.com/x submitted');
  });

  it('a secret containing another is removed whole', () => {
    const short = 'abcd1234';
    const long = `${short}XYZ9876`;
    const redact = createRedactor([short, long]);
    const out = redact(`${long} and ${short}`);
    expect(out).not.toContain(short);
    expect(out).not.toContain('XYZ9876');
    expect(out).toBe('*** and ***');
  });

  it('overlapping secrets leave nothing of either', () => {
    const a = 'AAAA1111BBBB';
    const b = '1111BBBBCCCC';
    const out = createRedactor([a, b])(`x ${a} y ${b} z`);
    expect(out).not.toContain(a);
    expect(out).not.toContain(b);
  });

  it('undefined and empty secrets are ignored', () => {
    const redact = createRedactor([undefined, '']);
    expect(redact('nothing to hide')).toBe('nothing to hide');
  });
});
