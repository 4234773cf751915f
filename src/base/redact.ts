/**
 * Removes secrets from text that leaves the process: the log, the report, the job summary, the CLI's
 * output. The runner masks what core.setSecret registered, but only in its log, and only spellings it
 * was given: a secret travels percent-encoded (the V1 form body, the STS call), and a server that
 * quotes its string to sign encodes it twice. So every secret is matched in every spelling the action
 * itself produces, and also when a message cut it short (a snippet of a body ends in the middle).
 */
export type Redactor = (text: string) => string;

/**
 * Real AccessKey IDs, secrets and tokens are 16 characters or longer; replacing a very short value
 * everywhere would corrupt URLs in the report without protecting anything.
 */
const MIN_SECRET_LENGTH = 8;

/**
 * A spelling's first characters that, found in a text, mark the start of a secret even when the rest
 * is cut off (`CAIS0123456789…`). Long enough never to occur by chance.
 */
const HEAD_LENGTH = 12;

const MASK = '***';

/** RFC 3986 percent-encoding, as the request signer writes every parameter. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** application/x-www-form-urlencoded, as URLSearchParams writes it (space as +). */
function formEncoded(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * Every spelling of `secret` the action produces or a server may echo: raw; percent-encoded once and
 * twice (RFC 3986 as the signer writes it, encodeURIComponent, form encoding), with upper- or lower-case
 * hex; base64 (Proxy-Authorization sends `user:password` so); and each as a JSON string holds it.
 */
export function secretSpellings(secret: string): string[] {
  const encoders = [rfc3986, encodeURIComponent, formEncoded];
  const spellings = new Set<string>([secret]);
  for (const encode of encoders) {
    const once = encode(secret);
    spellings.add(once);
    for (const again of encoders) spellings.add(again(once));
  }
  for (const spelling of [...spellings]) {
    spellings.add(spelling.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  }
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  spellings.add(base64);
  spellings.add(base64.replace(/=+$/, ''));
  spellings.add(Buffer.from(secret, 'utf8').toString('base64url'));
  for (const spelling of [...spellings]) spellings.add(JSON.stringify(spelling).slice(1, -1));
  return [...spellings].filter((spelling) => spelling.length >= MIN_SECRET_LENGTH);
}

export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const spellings = [
    ...new Set(
      secrets
        .filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)
        .flatMap(secretSpellings),
    ),
  ];
  if (spellings.length === 0) return (text) => text;
  return (text) => mask(text, matches(text, spellings));
}

/** Where any spelling, or the start of one cut short, stands in `text`: [start, end) spans. */
function matches(text: string, spellings: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  for (const spelling of spellings) {
    const head = spelling.slice(0, HEAD_LENGTH);
    for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
      let length = head.length;
      while (length < spelling.length && text[at + length] === spelling[length]) length++;
      spans.push([at, at + length]);
    }
  }
  return spans;
}

/** `text` with every span (overlapping ones merged) replaced by the mask. */
function mask(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let copied = 0;
  let end = -1;
  for (const [start, stop] of spans) {
    if (start > end) {
      if (end >= 0) copied = end;
      out += text.slice(copied, start) + MASK;
      end = stop;
    } else {
      end = Math.max(end, stop);
    }
  }
  return out + text.slice(end);
}
