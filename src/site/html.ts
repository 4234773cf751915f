/**
 * A page's own content: its `<main>` element, else the `<div role="main">` that stands for one (the
 * main landmark of MkDocs', Read the Docs' and Sphinx's themes), else its `<article>` elements, else its
 * `<body>`. When a
 * page's bytes change but its own content does not, only the navigation around it changed (a new post
 * rewrites the sidebar of every page), and it can wait behind pages whose content changed.
 *
 * Not a DOM parser, but enough of a tokenizer for what generators write: tag names in any case,
 * attributes (quoted values may hold `>`), comments, raw-text elements (`<script>`, `<style>`, ...)
 * whose text may mention `</main>`, nested `<article>`s, and missing end tags (an unclosed element
 * ends where `</body>` is, else at the end of the file). A full parser (parse5: 5x the bundle) would
 * build a tree of every page only to find two offsets.
 *
 * It works on the bytes read as latin1, one character per byte, so that offsets are byte offsets and
 * the hash is taken over the file's own bytes without decoding UTF-8.
 */

/** `[start, end)` byte ranges of the own content, in document order. */
export type Ranges = [start: number, end: number][];

/** Elements whose text is not markup: a `<main>` inside a script's string is not an element. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
const TAGS =
  /<(?:!--|(\/?)(main|article|body|script|style|textarea|title|xmp|iframe|noembed|noframes)(?=[\s/>]|$))/gi;
/** The same, with `<div>`: only for a page that has a `role="main"` at all (most pages' divs are not worth a look). */
const TAGS_AND_DIVS = new RegExp(TAGS.source.replace('(main|', '(main|div|'), 'gi');
/** A quick look for the page: a literal start is a fast scan, where ROLE_MAIN's is not. */
const ROLE_MAIN_SOMEWHERE = /role\s*=\s*["']?main/i;
/** `role="main"` (or `role=main`) as an attribute of its own: not `data-role="main"`. */
const ROLE_MAIN = /(?:^|[\s"'])role\s*=\s*["']?main(?=["'\s/>]|$)/i;
const CLOSERS = new Map([...RAW_TEXT].map((name) => [name, new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi')]));

interface Element {
  depth: number;
  start: number;
  ranges: Ranges;
}

/** The own content of the page in `html` (latin1), or undefined when it has none of the four elements. */
export function ownContent(html: string): Ranges | undefined {
  let found = elements(html, false);
  // Divs are looked at only on a page without <main> that has a role="main" somewhere: most pages'
  // hundreds of divs would cost a <main> page a third more time for nothing.
  if (found.main.ranges.length === 0 && ROLE_MAIN_SOMEWHERE.test(html)) found = elements(html, true);
  for (const target of [found.main, found.landmark, found.article, found.body])
    if (target.ranges.length > 0) return target.ranges;
  return undefined;
}

interface Found {
  main: Element;
  /** The `<div role="main">` (only looked for with `divs`). */
  landmark: Element;
  article: Element;
  body: Element;
}

/** One pass of the tokenizer over the page: where each element stands. */
function elements(html: string, divs: boolean): Found {
  const found: Found = { main: element(), landmark: element(), article: element(), body: element() };
  let bodyEnd = -1;
  const tags = new RegExp(divs ? TAGS_AND_DIVS : TAGS); // its own lastIndex: this function is reentrant
  for (let match = tags.exec(html); match !== null; match = tags.exec(html)) {
    if (match[0] === '<!--') {
      const end = html.indexOf('-->', match.index + 4);
      if (end === -1) break; // the rest of the file is a comment
      tags.lastIndex = end + 3;
      continue;
    }
    const name = match[2]!.toLowerCase();
    const tagEnd = endOfTag(html, match.index + match[0].length);
    if (tagEnd === -1) break;
    tags.lastIndex = tagEnd;
    const closing = match[1] === '/';
    if (RAW_TEXT.has(name)) {
      if (!closing && !skipRawText(html, name, tags)) break;
      continue;
    }
    if (name === 'div') {
      const attributes = html.slice(match.index + match[0].length, tagEnd);
      landmarkDiv(found.landmark, closing, closing ? false : ROLE_MAIN.test(attributes), tagEnd, match.index);
      continue;
    }
    const target = found[name as Exclude<keyof typeof found, 'landmark'>];
    if (!closing) {
      // Parsers merge a second <body> into the first; <main> and <article> may nest.
      if (target.depth === 0) target.start = tagEnd;
      if (target.depth === 0 || name !== 'body') target.depth++;
    } else if (target.depth > 0 && --target.depth === 0) {
      target.ranges.push([target.start, match.index]);
      if (name === 'body' && bodyEnd === -1) bodyEnd = match.index;
    }
  }
  for (const target of Object.values(found)) {
    if (target.depth > 0) target.ranges.push([target.start, bodyEnd > target.start ? bodyEnd : html.length]);
  }
  return found;
}

/**
 * Follows the first `<div role="main">`: every `<div>` inside it opens a level, every `</div>` closes
 * one, and the last closes it. A page has one main landmark; a later one is not looked at.
 */
function landmarkDiv(
  landmark: Element,
  closing: boolean,
  isMain: boolean,
  tagEnd: number,
  tagStart: number,
): void {
  if (landmark.depth === 0) {
    if (!closing && isMain && landmark.ranges.length === 0) {
      landmark.start = tagEnd;
      landmark.depth = 1;
    }
    return;
  }
  if (!closing) landmark.depth++;
  else if (--landmark.depth === 0) landmark.ranges.push([landmark.start, tagStart]);
}

function element(): Element {
  return { depth: 0, start: 0, ranges: [] };
}

/**
 * The offset just past the `>` that ends the tag whose attributes start at `from`, or -1. A quoted
 * attribute value may contain `>`; a quote that does not follow `=` is an ordinary character.
 */
function endOfTag(html: string, from: number): number {
  let afterEquals = false;
  for (let i = from; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 0x3e /* > */) return i + 1;
    if ((c === 0x22 /* " */ || c === 0x27) /* ' */ && afterEquals) {
      const close = html.indexOf(c === 0x22 ? '"' : "'", i + 1);
      if (close === -1) return -1;
      i = close;
      afterEquals = false;
    } else if (c === 0x3d /* = */) {
      afterEquals = true;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) {
      afterEquals = false;
    }
  }
  return -1;
}

/** Moves `tags` past the end tag of the raw-text element `name`; false when there is none. */
function skipRawText(html: string, name: string, tags: RegExp): boolean {
  const closer = CLOSERS.get(name)!;
  closer.lastIndex = tags.lastIndex;
  const close = closer.exec(html);
  if (close === null) return false;
  const end = endOfTag(html, close.index + close[0].length);
  if (end === -1) return false;
  tags.lastIndex = end;
  return true;
}
