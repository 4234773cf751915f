/**
 * `site-dir`: every file of the built site, with its URL and hashes. Hidden files and folders (`.git`,
 * `.DS_Store`, `.well-known`... anything whose name starts with a dot) are skipped, and so is the
 * `state` file when it is kept inside the site (with the unusable states set aside beside it).
 *
 * The site stays the site: a symbolic link is followed only to a file inside site-dir (never to
 * `/etc/passwd` or `../.git/config`, nor to the state); a name that is not UTF-8 has no URL and is
 * reported; what is not a regular file (a FIFO, a device, a socket) is never opened. The listing
 * gives the run's deadline its turn, and so does the reading (read.ts): a timeout ends the scan.
 */
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import * as path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ConfigError, errorMessage, systemErrorCode } from '../base/errors.js';
import { SET_ASIDE_MARK, type FileHashes } from '../state/state.js';
import { fileHashes, isHtmlFile, WHOLE_FILE_LIMIT } from './hash.js';
import { emptyPatternReport, PATTERN_BUDGET_MS, readBatches } from './read.js';
import { carelessPatterns, patternName, type ContentIgnore } from './ignore.js';
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
  /** How long the content-ignore patterns may take on one file (tests shorten it). */
  patternBudgetMs?: number | undefined;
}

export interface SiteFile {
  /** `/`-separated, relative to site-dir, as on disk. */
  readonly path: string;
  /** The URL the file is served at (see mapping.ts). */
  readonly url: string;
  readonly hashes: FileHashes;
  readonly size: number;
}

/**
 * A scanned file. Its URL is made when asked for (most files of a large site never are), and its
 * hashes are kept as the state writes them, `content` or `content.own`: one string instead of an
 * object and two strings, a million times over.
 */
class ScannedFile implements SiteFile {
  private readonly packed: string;

  constructor(
    readonly path: string,
    hashes: FileHashes,
    readonly size: number,
    private readonly base: string,
  ) {
    this.packed = hashes.own === undefined ? hashes.content : [hashes.content, hashes.own].join('.');
  }

  get hashes(): FileHashes {
    const packed = this.packed;
    return packed.length === 16
      ? { content: packed }
      : { content: packed.slice(0, 16), own: packed.slice(17) };
  }

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
  /** What the scan has to say (links skipped, names that are not UTF-8, ...), for the log and the summary. */
  notices?: string[] | undefined;
  warnings?: string[] | undefined;
  /** Names that are not UTF-8, their other bytes written `\xNN`: no URL can be made of them. */
  unreadableNames?: string[] | undefined;
}

/**
 * Lists and hashes site-dir. Throws a ConfigError naming `site-dir` when it does not exist, is not a
 * folder or has no files, and one naming `base-url` when that is not an http(s) URL.
 */
export async function scanSite(options: ScanOptions): Promise<SiteScan> {
  const base = siteBase(options.baseUrl);
  const root = path.resolve(options.workspace, options.siteDir);
  checkFolder(options.siteDir, root);
  const state = options.state === undefined ? undefined : path.resolve(options.workspace, options.state);
  const listing = await listFiles(root, state, options.signal);
  const warnings = repositoryWarning(options.siteDir, root, listing.top);
  if (listing.names.length === 0) {
    throw new ConfigError(
      `site-dir: "${options.siteDir}" (${root}) has no files (hidden ones are skipped). ` +
        'Run this step after the build, and set site-dir to the folder the build writes.',
      'site-dir',
    );
  }
  const names = listing.names.sort(byCodeUnits);
  const links = new Map<number, string>();
  names.forEach((name, index) => {
    const target = listing.links.get(name);
    if (target !== undefined) links.set(index, target);
  });
  const ignore = options.contentIgnore;
  const patterns = ignore?.patterns.map((pattern) => pattern.source) ?? [];
  const patternReport = emptyPatternReport(patterns.length);
  const stopped: { index: number; pattern: number }[] = [];
  const found: (SiteFile | undefined)[] = new Array<SiteFile | undefined>(names.length);
  let bytes = 0;
  let special = listing.special;
  const batches = readBatches({
    root,
    files: names,
    links,
    wholeFileLimit: WHOLE_FILE_LIMIT,
    patterns,
    patternBudgetMs: options.patternBudgetMs,
    onPatternStopped: (index, pattern) => stopped.push({ index, pattern }),
    patternReport,
    signal: options.signal,
  });
  for await (const reads of batches) {
    for (const read of reads) {
      if ('missing' in read) continue; // removed since it was listed
      if ('special' in read) {
        special++; // no longer a regular file
        continue;
      }
      const name = names[read.index]!;
      if ('size' in read) {
        found[read.index] = new ScannedFile(name, { content: read.hash }, read.size, base);
        bytes += read.size;
      } else {
        // Hashed by the reader (content-ignore applied); only a changed page is parsed here.
        const html = isHtmlFile(name);
        const before = html ? options.previous?.get(name) : undefined;
        const hashes = fileHashes(read.hash, read.bytes, html, before);
        found[read.index] = new ScannedFile(name, hashes, read.bytes.length, base);
        bytes += read.bytes.length;
      }
    }
  }
  const files = found.filter((file) => file !== undefined); // in `names` order: sorted
  if (ignore !== undefined) {
    const fileOf = (index: number): string => names[index]!;
    warnings.push(...stoppedPatterns(ignore, stopped, fileOf, options.patternBudgetMs ?? PATTERN_BUDGET_MS));
    warnings.push(...carelessPatterns(ignore, patternReport, fileOf));
  }
  const notices = listingNotices(listing, special);
  return { root, base, files, bytes, notices, warnings, unreadableNames: listing.unreadable };
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

interface Listing {
  /** Relative, `/`-separated, unsorted. */
  names: string[];
  /** Names that are symbolic links to a file of the site: name → the file's real path. */
  links: Map<string, string>;
  /** Links skipped: to a file outside site-dir, or to the state. */
  linksOutside: number;
  linksToState: number;
  /** Entries that are not regular files, folders or links (FIFOs, sockets, devices). */
  special: number;
  unreadable: string[];
  /** The names at the top of site-dir, hidden ones included (for the repository check). */
  top: Set<string>;
}

/** The listing gives the event loop (and so the run's deadline) a turn at least this often. */
const YIELD_MS = 20;

/**
 * Every regular file under `root` (relative, `/`-separated), hidden names skipped, with the links to
 * files inside the site. Links to folders are not followed (a link loop must not hang the run).
 */
async function listFiles(root: string, state: string | undefined, signal?: AbortSignal): Promise<Listing> {
  const listing: Listing = {
    names: [],
    links: new Map(),
    linksOutside: 0,
    linksToState: 0,
    special: 0,
    unreadable: [],
    top: new Set(),
  };
  const realRoot = realpathSync(root);
  const realState = state === undefined ? undefined : realOrSelf(state);
  // The state's path relative to site-dir, in the `/` form of the names below (or none).
  const stateName = state === undefined ? undefined : path.relative(root, state).split(path.sep).join('/');
  const isStateFile = (name: string): boolean =>
    stateName !== undefined && (name === stateName || name.startsWith(`${stateName}${SET_ASIDE_MARK}`));
  const folders: [folder: string, prefix: string][] = [[root, '']];
  let turn = performance.now();
  for (let next = folders.pop(); next !== undefined; next = folders.pop()) {
    if (performance.now() - turn > YIELD_MS) {
      await yieldToLoop();
      turn = performance.now();
    }
    if (signal?.aborted) throw signal.reason;
    const [folder, prefix] = next;
    const entries = listFolder(folder, prefix);
    if (prefix === '') for (const entry of entries) listing.top.add(entry.name);
    let raw: Map<string, SameDecoding> | undefined;
    for (const entry of entries) {
      const name = entry.name;
      if (name.startsWith('.')) continue;
      if (name.includes('\uFFFD')) {
        raw ??= decodingsOf(folder);
        const same = raw.get(name);
        if (same !== undefined && same.invalid.length > 0) {
          // Reported once, by their bytes; the entry itself stands for the one UTF-8 name, if any.
          listing.unreadable.push(...same.invalid.map((bytes) => prefix + escapeBytes(bytes)));
          same.invalid = [];
        }
        if (same !== undefined && same.utf8-- <= 0) continue;
      }
      const relative = prefix + name;
      if (entry.isFile()) {
        if (!isStateFile(relative)) listing.names.push(relative);
      } else if (entry.isDirectory()) {
        folders.push([path.join(folder, name), `${relative}/`]);
      } else if (entry.isSymbolicLink()) {
        if (!isStateFile(relative))
          followLink(path.join(folder, name), relative, realRoot, realState, listing);
      } else {
        listing.special++;
      }
    }
  }
  return listing;
}

function listFolder(folder: string, prefix: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    throw new Error(`site-dir: cannot list ${prefix || '.'}: ${errorMessage(error)}`, { cause: error });
  }
}

/** A link to a file inside the site is that file; any other link is skipped (counted when it leads out). */
function followLink(
  full: string,
  name: string,
  realRoot: string,
  realState: string | undefined,
  listing: Listing,
): void {
  let real: string;
  try {
    real = realpathSync(full);
    if (!statSync(real).isFile()) return; // a folder (not followed), a FIFO, a device
  } catch {
    return; // a dangling link serves nothing
  }
  if (real === realState) listing.linksToState++;
  else if (!real.startsWith(realRoot + path.sep)) listing.linksOutside++;
  else {
    listing.names.push(name);
    listing.links.set(name, real);
  }
}

function realOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** The names of a folder that decode to one string with U+FFFD: the one that is UTF-8, and the others. */
interface SameDecoding {
  /** How many are UTF-8 (0 or 1: UTF-8 decodes one way), and so name a file that can be read. */
  utf8: number;
  invalid: Buffer[];
}

/** The names of `folder` that decode with U+FFFD, by the string they decode to. */
function decodingsOf(folder: string): Map<string, SameDecoding> {
  const names = new Map<string, SameDecoding>();
  for (const bytes of readdirSync(folder, { encoding: 'buffer' })) {
    const decoded = bytes.toString('utf8');
    if (!decoded.includes('\uFFFD')) continue;
    const same = names.get(decoded) ?? { utf8: 0, invalid: [] };
    if (isUtf8(bytes)) same.utf8++;
    else same.invalid.push(bytes);
    names.set(decoded, same);
  }
  return names;
}

/** A name's bytes, readable: printable ASCII as it is, every other byte `\xNN`. */
function escapeBytes(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) {
    text +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return text;
}

function listingNotices(listing: Listing, special: number): string[] {
  const notices: string[] = [];
  if (listing.linksOutside + listing.linksToState > 0) {
    const parts = [
      listing.linksOutside ? `${listing.linksOutside} to files outside site-dir` : '',
      listing.linksToState ? `${listing.linksToState} to the state file` : '',
    ].filter(Boolean);
    notices.push(
      `site-dir: ${listing.linksOutside + listing.linksToState} symbolic links were skipped (${parts.join(', ')}): ` +
        'only a link to a file of the site counts as a site file.',
    );
  }
  if (listing.unreadable.length > 0) {
    const examples = listing.unreadable.slice(0, 3).join(', ');
    notices.push(
      `site-dir: ${listing.unreadable.length} file or folder names are not UTF-8 (${examples}${listing.unreadable.length > 3 ? ', …' : ''}) ` +
        'and were skipped: no URL can be made of them. The report lists them; rename them in UTF-8.',
    );
  }
  if (special > 0) {
    notices.push(
      `site-dir: ${special} entries are not regular files (FIFOs, sockets, devices) and were not read.`,
    );
  }
  return notices;
}

/** Markers of a repository (or its build tooling), at the top of site-dir. */
const REPOSITORY_MARKERS = ['.git', 'node_modules', 'package.json'];

/** The warning for a site-dir that holds the repository itself (`site-dir: .`), or none. */
function repositoryWarning(input: string, root: string, top: ReadonlySet<string>): string[] {
  const found = REPOSITORY_MARKERS.filter((name) => top.has(name));
  if (!found.includes('node_modules') && !(found.includes('.git') && found.length > 1)) return [];
  return [
    `site-dir: "${input}" (${root}) holds ${found.join(', ')}: it looks like the repository, not the built ` +
      'site, and every file under it (hidden ones aside) is hashed and warmed as a URL of the site. Set ' +
      'site-dir to the folder your build writes (public, _site, dist, ...).',
  ];
}

/** One warning per pattern that was stopped on some files. */
function stoppedPatterns(
  ignore: ContentIgnore,
  stopped: readonly { index: number; pattern: number }[],
  fileOf: (index: number) => string,
  budgetMs: number,
): string[] {
  const byPattern = new Map<number, string[]>();
  for (const { index, pattern } of stopped) {
    byPattern.set(pattern, [...(byPattern.get(pattern) ?? []), fileOf(index)]);
  }
  return [...byPattern].map(([pattern, files]) => {
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? ', …' : '');
    return (
      `content-ignore: ${patternName(ignore, pattern)} was stopped on ${files.length} file${files.length === 1 ? '' : 's'} ` +
      `(${shown}): it took more than ${budgetMs / 1000} s on each, or failed. Those files are hashed as they ` +
      'are, without content-ignore. Write the pattern so that it cannot backtrack without end: [^\\n]* ' +
      'rather than .*, and no nested repeats such as (a+)+.'
    );
  });
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
