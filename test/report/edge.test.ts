// verify's part of what is built from a run's result: the verdict, the outputs, the report rows, the
// job summary's section (bounded) and the CLI's lines.
import { describe, expect, it } from 'vitest';
import { renderClosing } from '../../src/report/closing.js';
import { actionOutputs } from '../../src/report/outputs.js';
import { reportJson } from '../../src/report/report.js';
import { renderSummary } from '../../src/report/summary.js';
import { failureMessage } from '../../src/report/verdict.js';
import { countChecks, type EdgeCheck, type VerifyResult } from '../../src/verify/types.js';
import { runResult, submittedOutcome } from '../helpers/results.js';

const HIT = { 'X-Cache': 'HIT TCP_MEM_HIT dirn:-2:-2', Age: '40', Via: 'cache36.l2cn1818[0,200-0,H]' };

function verified(checks: EdgeCheck[], compared = true): VerifyResult {
  return {
    compared,
    limit: 200,
    counts: countChecks(checks),
    checks,
    requests: checks.length,
    elapsedMs: 12,
  };
}

function resultWith(edges: EdgeCheck['edge'][], compared = true) {
  const outcomes = edges.map(() => submittedOutcome());
  const checks = outcomes.map((o, i): EdgeCheck => ({
    url: o.url,
    edge: edges[i]!,
    ...(edges[i] === 'unchecked' ? { unchecked: 'limit' as const } : { status: 200, headers: HIT }),
  }));
  return runResult(outcomes, { verify: verified(checks, compared) });
}

const identity = (text: string) => text;

describe('verify in the result', () => {
  it.each([
    [['fresh', 'fresh'], 'error', undefined],
    [['fresh', 'stale'], 'error', /^The deploy is not live at the edge: of 2 URLs verified, 1 stale/],
    [['fresh', 'missing'], 'error', /1 missing \(the site answers 4xx or 5xx\)/],
    [['fresh', 'missing'], 'skipped', /1 missing/],
    [['stale', 'missing'], 'never', undefined],
    [['redirect', 'error', 'unchecked', 'served'], 'error', undefined],
  ] as const)('%o under fail-on: %s', (edges, failOn, message) => {
    const failure = failureMessage(resultWith([...edges]), failOn);
    if (message === undefined) expect(failure).toBeUndefined();
    else expect(failure).toMatch(message);
  });

  it('gives its outputs with verify, empty strings without', () => {
    expect(
      actionOutputs(resultWith(['fresh', 'stale', 'missing', 'unchecked', 'error']), 'r.json'),
    ).toMatchObject({
      'fresh-count': '1',
      'stale-count': '1',
      'missing-count': '1',
      'unchecked-count': '1',
    });
    expect(actionOutputs(runResult([submittedOutcome()]), 'r.json')).toMatchObject({
      'fresh-count': '',
      'stale-count': '',
      'missing-count': '',
      'unchecked-count': '',
    });
  });

  it('puts each check on its URL’s row, and the totals beside', () => {
    const result = resultWith(['stale', 'unchecked']);
    const report = JSON.parse(reportJson(result, identity)) as {
      urls: Record<string, unknown>[];
      verify: Record<string, unknown>;
    };
    expect(report.urls[0]).toMatchObject({
      status: 'submitted',
      edge: 'stale',
      edgeStatus: 200,
      edgeHeaders: HIT,
    });
    expect(report.urls[1]).toMatchObject({ edge: 'unchecked', edgeUnchecked: 'limit' });
    expect(report.urls[1]).not.toHaveProperty('edgeStatus');
    expect(report.verify).toEqual({
      compared: true,
      limit: 200,
      counts: { fresh: 0, stale: 1, missing: 0, redirect: 0, error: 0, served: 0, unchecked: 1, total: 2 },
      requests: 2,
      elapsedMs: 12,
    });
    expect(JSON.parse(reportJson(runResult([submittedOutcome()]), identity)).urls[0]).not.toHaveProperty(
      'edge',
    );
  });

  it('lists at most 50 troubled URLs in the summary, with their cache headers, and says the rest are in the report', () => {
    const summary = renderSummary(
      resultWith([...Array<'stale'>(60).fill('stale'), 'fresh', 'unchecked']),
      'r.json',
    );
    expect(summary).toContain('### Verification at the edge');
    expect(summary).toMatch(/\| stale: other content \| 60 \|/);
    expect(summary).toMatch(/\| \*\*verified URLs\*\* \| \*\*62\*\* \|/);
    expect(summary).toContain('Unchecked: 1 beyond verify-limit.');
    expect(summary).toContain('#### Not live, or not known to be (60)');
    expect(summary.match(/\| stale \| 200 \| HIT TCP_MEM_HIT dirn:-2:-2 \| 40 \| cache36/g)).toHaveLength(50);
    expect(summary).toContain('…and 10 more in the report.');
  });

  it('without a built site, shows no fresh or stale rows', () => {
    const summary = renderSummary(resultWith(['served', 'missing'], false), 'r.json');
    expect(summary).toContain('status and cache headers only');
    expect(summary).not.toContain('fresh: this deploy');
    expect(summary).toMatch(/\| answered, not compared \(no built file\) \| 1 \|/);
  });

  it('closes the CLI’s table with the counts and the first stale and missing URLs', () => {
    const result = resultWith(['fresh', 'stale', 'missing']);
    const closing = renderClosing(result);
    expect(closing).toContain(
      'Edge (verify, 3 URLs)\n  1 fresh · 1 stale · 1 missing · 0 redirect · 0 error · 0 unchecked',
    );
    expect(closing).toContain(
      `  stale   ${result.outcomes[1]!.url}  HTTP 200, X-Cache: HIT TCP_MEM_HIT dirn:-2:-2`,
    );
    expect(renderClosing(runResult([submittedOutcome()]))).not.toContain('Edge');
  });
});
