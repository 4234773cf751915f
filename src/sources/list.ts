/**
 * URL list sources: the `urls` input and the `urls-file` file share one format, one URL per line,
 * blank lines and `#` comments ignored.
 */
import { readFile } from 'node:fs/promises';
import type { UrlEntry } from '../urls/prepare.js';
import { ConfigError } from '../base/errors.js';

/** Splits list text into entries, keeping each entry's line number for error messages. */
export function parseUrlList(text: string, sourceName: string): UrlEntry[] {
  const entries: UrlEntry[] = [];
  text.split(/\r\n|\n|\r/).forEach((line, index) => {
    const raw = line.trim();
    if (raw === '' || raw.startsWith('#')) return;
    entries.push({ raw, source: `${sourceName}: line ${index + 1}` });
  });
  return entries;
}

/** Reads `urls-file`; a missing or unreadable file is a configuration error naming the path. */
export async function readUrlFile(filePath: string, displayName: string): Promise<UrlEntry[]> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new ConfigError(
      `urls-file: cannot read "${displayName}" (${why}; the path resolves to ${filePath})`,
      'urls-file',
    );
  }
  return parseUrlList(text.replace(/^\uFEFF/, ''), `urls-file ${displayName}`);
}
