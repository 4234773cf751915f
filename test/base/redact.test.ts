/**
 * Secrets in every spelling the action produces or a server echoes: raw, percent-encoded once and
 * twice (RFC 3986, encodeURIComponent, form), base64, inside JSON, and cut short by a snippet. The
 * spellings are made here independently of src/ (the emulator's own encoder and Node's).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withoutStringToSign } from '../../src/alibaba/answer.js';
import { signV1 } from '../../src/alibaba/signer.js';
import { createRedactor } from '../../src/base/redact.js';
import { percentEncode, v1StringToSign, parsePairs } from '../../emulator/signature.js';

/** Shaped like Alibaba's: CAIS and base64 with + / =. */
const token = `CAIS${randomBytes(120).toString('base64')}+/=`;
const secret = `Ab3+dE/9 x!*'()~Zq`;
const proxyUserinfo = 'runner:p@ss w0rd:%/';

const form = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1);

function spellings(value: string): Record<string, string> {
  return {
    raw: value,
    'RFC 3986 once': percentEncode(value),
    'RFC 3986 twice': percentEncode(percentEncode(value)),
    'encodeURIComponent once': encodeURIComponent(value),
    'encodeURIComponent twice': encodeURIComponent(encodeURIComponent(value)),
    'form once': form(value),
    'form twice': form(form(value)),
    'lower-case hex': percentEncode(value).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    base64: Buffer.from(value).toString('base64'),
    'in JSON': JSON.stringify(`"${value}"`),
  };
}

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

describe('createRedactor: every spelling', () => {
  const redact = createRedactor([token, secret, proxyUserinfo]);
  for (const [name, value] of Object.entries({ token, secret, 'proxy user:password': proxyUserinfo })) {
    for (const [how, spelled] of Object.entries(spellings(value))) {
      it(`masks the ${name}, ${how}`, () => {
        const out = redact(`before ${spelled} after`);
        expect(out).not.toContain(spelled);
        expect(out).toMatch(/^before .*\*\*\*.* after$/);
      });
    }
  }

  it('masks a spelling cut short by a snippet, as far as it goes', () => {
    const cut = percentEncode(token).slice(0, 40);
    expect(
      redact(`HTTP 400 with an answer that is not the API's (text/plain: "SecurityToken=${cut}…")`),
    ).toBe(`HTTP 400 with an answer that is not the API's (text/plain: "SecurityToken=***…")`);
  });

  it('masks the STS token in a V1 string to sign, as Alibaba quotes it (percent-encoded twice)', () => {
    const request = signV1({
      endpoint: new URL('https://cdn.aliyuncs.com'),
      action: 'DescribeRefreshQuota',
      version: '2018-05-10',
      query: {},
      credentials: { accessKeyId: 'STS.NTabcdefgh', accessKeySecret: secret, securityToken: token },
      date: new Date('2026-01-01T00:00:00Z'),
      nonce: 'n-1',
    });
    const stringToSign = v1StringToSign('POST', parsePairs(request.body));
    expect(stringToSign).toContain(percentEncode(percentEncode(token)));
    const message = `SignatureDoesNotMatch: server string to sign is:${stringToSign}`;
    expect(redact(message)).not.toMatch(/CAIS/);
    expect(redact(request.body)).not.toContain(token.slice(4, 30));
  });

  it('leaves other text alone, and a text without secrets unchanged', () => {
    expect(redact('https://www.example.com/a?x=1 submitted, task 123')).toBe(
      'https://www.example.com/a?x=1 submitted, task 123',
    );
  });
});

describe('withoutStringToSign', () => {
  it("cuts an API message where it quotes the server's string to sign", () => {
    expect(
      withoutStringToSign(
        'Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3D…',
      ),
    ).toBe(
      "Specified signature is not matched with our calculation. (the server's string to sign is left out: it repeats the request)",
    );
  });

  it('leaves other messages whole', () => {
    expect(withoutStringToSign('The specified parameter "Area" is not valid.')).toBe(
      'The specified parameter "Area" is not valid.',
    );
  });
});
