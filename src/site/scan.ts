/**
 * `site-dir`: every file of the built site, with its URL and hashes. Hidden files and folders (`.git`,
 * `.DS_Store`, `.well-known`... anything whose name starts with a dot) are skipped, and so is the
 * `state` file when it is kept inside the site.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, errorMessage, systemErrorCode } from '../base/errors.js';
import type { FileHashes } from '../state/state.js';
import { hashBytes, isHtmlFile, WHOLE_FILE_LIMIT } from './hash.js';
import { readFiles } from './read.js';
import type { ContentIgnore } from './ignore.js';
import { fileToUrl, siteBase } from './mapping.js';

export interface ScanOptions {
  /** Relative paths are resolved against this (GITHUB_WORKSPACE). */
  workspace: string;
  /** `site-dir`, as written. */
  siteDir: string;
  /** `base-url`: the URL the site's root folder is served at. */
  baseUrl: string;
  /** `content-ignore`, from compileContentIgnore(). */
  contentIgnore?: ContentIgnore | undefined;
  /** `state`, as written: a state file inside site-dir is not a site file. */
  state?: string | undefined;
  /**
   * The previous state's files (from readState), when there is one: a page whose content is unchanged
   * keeps its own-content hash instead of being parsed again.
   */
  previous?: ReadonlyMap<string, FileHashes> | undefined;
  /** Stops the scan (a cancelled run): it throws the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface SiteFile {
  /** `/`-separated, relative to site-dir, as on disk. */
  readonly path: string;
  /** The URL the file is served at (see mapping.ts). */
  readonly url: string;
  readonly hashes: FileHashes;
  readonly size: number;
}

/** A scanned file; its URL is made when asked for (most files of a large site never are). */
class ScannedFile implements SiteFile {
  constructor(
    readonly path: string,
    readonly hashes: FileHashes,
    readonly size: number,
    private readonly base: string,
  ) {}

  get url(): string {
    return fileToUrl(this.base, this.path);
  }
}

export interface SiteScan {
  /** site-dir, resolved. */
  root: string;
  /** siteBase(base-url): every URL starts with it. */
  base: string;
  /** Every file, sorted by path (UTF-16 code units, the same on every machine). */
  files: SiteFile[];
  bytes: number;
}

/**
 * Lists and hashes site-dir. Throws a ConfigError naming `site-dir` when it does not exist, is not a
 * folder or has no files, and one naming `base-url` when that is not an http(s) URL.
 */
export async function scanSite(options: ScanOptions): Promise<SiteScan> {
  const base = siteBase(options.baseUrl);
  const root = path.resolve(options.workspace, options.siteDir);
  checkFolder(options.siteDir, root);
  const skip = options.state === undefined ? undefined : path.resolve(options.workspace, options.state);
  const names = listFiles(root, skip);
  if (names.length === 0) {
    throw new ConfigError(
      `site-dir: "${options.siteDir}" (${root}) has no files (hidden ones are skipped). ` +
        'Run this step after the build, and set site-dir to the folder the build writes.',
      'site-dir',
    );
  }
  names.sort(byCodeUnits);
  const found: (SiteFile | undefined)[] = new Array<SiteFile | undefined>(names.length);
  let bytes = 0;
  const reads = readFiles({ root, files: names, wholeFileLimit: WHOLE_FILE_LIMIT, signal: options.signal });
  for await (const read of reads) {
    if ('missing' in read) continue; // removed since it was listed
    const name = names[read.index]!;
    if ('hash' in read) {
      found[read.index] = new ScannedFile(name, { content: read.hash }, read.size, base);
      bytes += read.size;
    } else {
      const html = isHtmlFile(name);
      const before = html ? options.previous?.get(name) : undefined;
      const hashes = hashBytes(read.bytes, html, options.contentIgnore, before);
      found[read.index] = new ScannedFile(name, hashes, read.bytes.length, base);
      bytes += read.bytes.length;
    }
  }
  const files = found.filter((file) => file !== undefined); // in `names` order: sorted
  return { root, base, files, bytes };
}

function checkFolder(input: string, root: string): void {
  let isFolder: boolean;
  try {
    isFolder = statSync(root).isDirectory();
  } catch (error) {
    const missing = systemErrorCode(error) === 'ENOENT';
    throw new ConfigError(
      `site-dir: "${input}" (${root}) ${missing ? 'does not exist' : `cannot be read: ${errorMessage(error)}`}. ` +
        'Set site-dir to the folder your build writes (public, _site, dist, ...) and run this step after the build.',
      'site-dir',
    );
  }
  if (!isFolder) {
    throw new ConfigError(
      `site-dir: "${input}" (${root}) is a file, not a folder. Set it to the folder your build writes.`,
      'site-dir',
    );
  }
}

/**
 * Every regular file under `root` (relative, `/`-separated), hidden names skipped. A symbolic link to
 * a file counts as that file; links to folders are not followed (a link loop must not hang the run).
 */
function listFiles(root: string, skip: string | undefined): string[] {
  const files: string[] = [];
  // The state file's path relative to site-dir, in the `/` form of the names below (or none).
  const skipped = skip === undefined ? undefined : path.relative(root, skip).split(path.sep).join('/');
  const visit = (folder: string, prefix: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      throw new Error(`site-dir: cannot list ${prefix || '.'}: ${errorMessage(error)}`, { cause: error });
    }
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      const relative = prefix + name;
      if (entry.isFile()) {
        if (relative !== skipped) files.push(relative);
      } else if (entry.isDirectory()) {
        visit(path.join(folder, name), `${relative}/`);
      } else if (
        entry.isSymbolicLink() &&
        relative !== skipped &&
        isFileBehindLink(path.join(folder, name))
      ) {
        files.push(relative);
      }
    }
  };
  visit(root, '');
  return files;
}

function isFileBehindLink(full: string): boolean {
  try {
    return statSync(full).isFile();
  } catch {
    return false; // a dangling link serves nothing
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
