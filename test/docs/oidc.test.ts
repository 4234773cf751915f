// The OIDC workflow and trust policy (docs/oidc.md, where README links for OIDC) are meant to be
// copied: they must stay valid and in step with action.yml.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = path.resolve(import.meta.dirname, '../..');
const section = readFileSync(path.join(ROOT, 'docs/oidc.md'), 'utf8');
/** The fenced blocks of a language in the page, without the indentation of a list item. */
function blocks(lang: string): string[] {
  return [...section.matchAll(new RegExp(`( *)\`\`\`${lang}\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) =>
    (m[2] ?? '').replace(new RegExp(`^${m[1] ?? ''}`, 'gm'), ''),
  );
}

interface Workflow {
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
}

describe('docs/oidc.md: OIDC', () => {
  it('has a workflow with the permissions the ID token needs, using only inputs action.yml defines', () => {
    const [yamlText] = blocks('yaml');
    const workflow = parse(yamlText ?? '') as Workflow;
    expect(workflow.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    const step = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .find((s) => s.uses?.includes('cdn-prefetch'));
    const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: object };
    expect(Object.keys(step?.with ?? {}).every((name) => name in action.inputs)).toBe(true);
    expect(step?.with?.['role-arn']).toMatch(/^acs:ram::\d+:role\/[\w.-]+$/);
    expect(step?.with?.['oidc-provider-arn']).toMatch(/^acs:ram::\d+:oidc-provider\/[\w.-]+$/);
  });

  it('has a trust policy for that provider with the iss, aud and sub conditions', () => {
    const [jsonText] = blocks('json');
    const policy = JSON.parse(jsonText ?? '') as {
      Statement: {
        Action: string;
        Principal: { Federated: string[] };
        Condition: { StringEquals: object };
      }[];
    };
    const [statement] = policy.Statement;
    expect(statement?.Action).toBe('sts:AssumeRole');
    expect(statement?.Principal.Federated).toEqual(['acs:ram::1234567890123456:oidc-provider/github']);
    expect(statement?.Condition.StringEquals).toEqual({
      'oidc:iss': 'https://token.actions.githubusercontent.com',
      'oidc:aud': 'sts.aliyuncs.com',
      'oidc:sub': 'repo:acme/site:ref:refs/heads/main',
    });
  });
});
