/**
 * Streaming sitemap parser on saxes: a real, strict XML parser (comments, CDATA, entities and
 * well-formedness are handled by it), driven by a small state machine that only keeps the text of
 * the elements we need. Memory does not grow with the document.
 *
 * Namespaces are resolved here rather than by saxes (xmlns: true): saxes builds a namespace record
 * for every attribute and tag, which cost more than the rest of our per-URL work. Resolution only
 * needs the declarations in scope, and they almost always sit on the root element.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { HtmlPageError } from './errors.js';

/** Namespaces `<urlset>`, `<url>`, `<loc>`… may live in. Elements are matched on local name and namespace. */
const SITEMAP_NAMESPACES = new Set([
  'http://www.sitemaps.org/schemas/sitemap/0.9',
  'https://www.sitemaps.org/schemas/sitemap/0.9',
  // Google's pre-2006 namespaces, still emitted by old generators.
  'http://www.google.com/schemas/sitemap/0.84',
  'http://www.google.com/schemas/sitemap/0.9',
  // No namespace at all: invalid per the protocol, but common in hand-written sitemaps.
  '',
]);
const IMAGE_NAMESPACES = new Set([
  'http://www.google.com/schemas/sitemap-image/1.1',
  'https://www.google.com/schemas/sitemap-image/1.1',
]);

export type SitemapKind = 'urlset' | 'sitemapindex';

/**
 * One `<url>` as written (text already unescaped by the XML parser, not yet trimmed). The same
 * object is reused for every `<url>`: read it during the callback, do not keep it.
 */
export interface SitemapEntry {
  /** Undefined when the `<url>` has no `<loc>`. */
  loc: string | undefined;
  lastmod: string | undefined;
  priority: string | undefined;
  /** `<image:loc>` values, when images were asked for. */
  images: string[] | undefined;
}

export interface ParseHandlers {
  url(entry: SitemapEntry): void;
  /** One `<sitemap><loc>` of a sitemap index. */
  child(loc: string | undefined): void;
}

export interface ParseOptions {
  /** Names the document in error messages. */
  label: string;
  /** Collect `<image:loc>` of each `<url>`. */
  images: boolean;
}

// Roles of open elements. Everything we do not know is OTHER, and so is all that it contains.
const enum Role {
  OTHER,
  URLSET,
  INDEX,
  URL,
  SITEMAP,
  IMAGE,
  LOC,
  LASTMOD,
  PRIORITY,
  IMAGE_LOC,
}

// An entity name longer than this is a raw "&" that swallowed the rest of the document.
const LONGEST_ENTITY_NAME = 64;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** Namespace declarations in scope: prefixes inherit through the prototype chain. */
interface Scope {
  defaultNs: string;
  prefixes: Record<string, string>;
}

const ROOT_SCOPE: Scope = {
  defaultNs: '',
  prefixes: Object.assign(Object.create(null) as Record<string, string>, { xml: XML_NAMESPACE }),
};

type Options = { xmlns: false; fileName: string };

/** Push-style parser: write() text chunks as they arrive, then close(). Errors are thrown. */
export class SitemapParser {
  private readonly sax: SaxesParser<Options>;
  private readonly roles: Role[] = [];
  /** The namespace scope of the innermost open element. */
  private scope = ROOT_SCOPE;
  /** Scopes to restore, and the depth at which each was replaced (few: declarations sit on the root). */
  private readonly outerScopes: { depth: number; scope: Scope }[] = [];
  /** `prefix, uri` pairs declared by the attributes of the tag being opened. */
  private declarations: string[] | undefined;
  /** Prefixed attribute names of the tag being opened, to check their prefixes. */
  private prefixedAttributes: string[] | undefined;
  private readonly onText = (text: string): void => this.addText(text);
  // childRole() asks whether the same namespace string is the sitemap's, tag after tag.
  private lastUri = '\0';
  private lastUriIsSitemap = false;
  private text = '';
  private local = '';
  private uri = '';
  private readonly entry: SitemapEntry = {
    loc: undefined,
    lastmod: undefined,
    priority: undefined,
    images: undefined,
  };
  private childLoc: string | undefined;
  private started = false;
  private rootKind: SitemapKind | undefined;
  // Where the element being captured opened, for the raw-"&" hint.
  private captureLine = 0;
  private captureColumn = 0;

  constructor(
    private readonly options: ParseOptions,
    private readonly handlers: ParseHandlers,
  ) {
    this.sax = new SaxesParser<Options>({ xmlns: false, fileName: options.label });
    this.sax.on('error', (error) => {
      throw new Error(error.message + this.hint(error.message));
    });
    this.sax.on('doctype', (doctype) => {
      // The DOCTYPE itself is ignored (never fetched); an HTML page is worth naming.
      if (/^\s*html\b/i.test(doctype)) throw htmlPage(options.label);
    });
    this.sax.on('attribute', ({ name, value }) => this.attribute(name, value));
    this.sax.on('opentag', (tag) => this.openElement(tag));
    this.sax.on('closetag', () => this.closeElement());
    // The text handler is only set inside an element we keep (see openElement()): saxes then neither slices
    // nor reports the whitespace between elements or the text of elements we ignore.
    this.sax.on('cdata', this.onText);
  }

  /** `urlset` or `sitemapindex`, once the root element has been seen. */
  get kind(): SitemapKind | undefined {
    return this.rootKind;
  }

  write(chunk: string): void {
    if (!this.started) {
      // Whitespace before the XML declaration is not XML, but some servers add it; skip it.
      chunk = chunk.replace(/^\s+/, '');
      if (chunk === '') return;
      this.started = true;
      // An HTML page is rarely well-formed XML (`<!doctype html>`, `<meta>` never closed): name it
      // before the XML parser fails on it.
      if (/^<!doctype\s+html\b|^<html[\s>]/i.test(chunk)) throw htmlPage(this.options.label);
    }
    this.sax.write(chunk);
    if (pendingEntity(this.sax).length > LONGEST_ENTITY_NAME) {
      throw new Error(`${this.options.label}: ${this.rawAmpersandHint()}`);
    }
  }

  close(): void {
    if (!this.started) throw new Error(`${this.options.label}: is empty`);
    if (pendingEntity(this.sax) !== '') throw new Error(`${this.options.label}: ${this.rawAmpersandHint()}`);
    try {
      this.sax.close();
    } catch (error) {
      // Errors at the end of the input mean the document stopped early.
      const reason = (error as Error).message;
      if (this.rootKind !== undefined && /unclosed tag|unexpected end/.test(reason)) {
        throw new Error(`${this.options.label}: is truncated: <${this.rootKind}> never closes (${reason})`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  private openElement(tag: SaxesTagPlain): void {
    const depth = this.roles.length;
    this.enterScope(depth);
    this.resolve(tag.name, this.scope);
    const { local, uri } = this;
    const parent = depth === 0 ? undefined : this.roles[depth - 1];
    let role = Role.OTHER;
    if (parent === undefined) {
      role = this.rootRole(tag.name, local, uri);
    } else if (parent !== Role.OTHER) {
      role = this.childRole(parent, local, uri);
      if (role === Role.URL) {
        const entry = this.entry;
        entry.loc = entry.lastmod = entry.priority = undefined;
        entry.images = undefined;
      } else if (role === Role.SITEMAP) {
        this.childLoc = undefined;
      } else if (role >= Role.LOC) {
        this.text = '';
        this.captureLine = this.sax.line;
        this.captureColumn = this.sax.column;
        this.sax.on('text', this.onText);
      }
    }
    this.roles.push(role);
  }

  private attribute(name: string, value: string): void {
    if (name === 'xmlns') (this.declarations ??= []).push('', value.trim());
    else if (name.startsWith('xmlns:')) (this.declarations ??= []).push(name.slice(6), value.trim());
    else if (name.includes(':')) (this.prefixedAttributes ??= []).push(name);
  }

  /** Enters the tag being opened: a new scope when its attributes declare namespaces. */
  private enterScope(depth: number): void {
    const declarations = this.declarations;
    if (declarations !== undefined) {
      const inherited = this.scope;
      const scope = {
        defaultNs: inherited.defaultNs,
        prefixes: Object.create(inherited.prefixes) as Record<string, string>,
      };
      for (let i = 0; i < declarations.length; i += 2) {
        if (declarations[i] === '') scope.defaultNs = declarations[i + 1]!;
        else scope.prefixes[declarations[i]!] = declarations[i + 1]!;
      }
      this.outerScopes.push({ depth, scope: inherited });
      this.scope = scope;
      this.declarations = undefined;
    }
    if (this.prefixedAttributes !== undefined) {
      // Attribute prefixes must be bound too, as a namespace-aware parser requires.
      for (const name of this.prefixedAttributes) this.resolve(name, this.scope);
      this.prefixedAttributes = undefined;
    }
  }

  /** Sets `local` and `uri` for a qualified name (fields, not a returned object: this runs per tag). */
  private resolve(qname: string, scope: Scope): void {
    const colon = qname.indexOf(':');
    if (colon === -1) {
      this.local = qname;
      this.uri = scope.defaultNs;
      return;
    }
    const prefix = qname.slice(0, colon);
    const uri = scope.prefixes[prefix];
    if (uri === undefined || uri === '') this.sax.fail(`unbound namespace prefix: "${prefix}".`);
    this.local = qname.slice(colon + 1);
    this.uri = uri ?? '';
  }

  private childRole(parent: Role, local: string, uri: string): Role {
    if (uri !== this.lastUri) {
      this.lastUri = uri;
      this.lastUriIsSitemap = SITEMAP_NAMESPACES.has(uri);
    }
    const inSitemapNs = this.lastUriIsSitemap;
    switch (parent) {
      case Role.URLSET:
        return inSitemapNs && local === 'url' ? Role.URL : Role.OTHER;
      case Role.INDEX:
        return inSitemapNs && local === 'sitemap' ? Role.SITEMAP : Role.OTHER;
      case Role.URL:
        if (inSitemapNs) {
          if (local === 'loc') return Role.LOC;
          if (local === 'lastmod') return Role.LASTMOD;
          if (local === 'priority') return Role.PRIORITY;
          return Role.OTHER;
        }
        return this.options.images && local === 'image' && IMAGE_NAMESPACES.has(uri)
          ? Role.IMAGE
          : Role.OTHER;
      case Role.SITEMAP:
        return inSitemapNs && local === 'loc' ? Role.LOC : Role.OTHER;
      case Role.IMAGE:
        return local === 'loc' && IMAGE_NAMESPACES.has(uri) ? Role.IMAGE_LOC : Role.OTHER;
      default:
        return Role.OTHER;
    }
  }

  private rootRole(name: string, local: string, uri: string): Role {
    if (local.toLowerCase() === 'html') throw htmlPage(this.options.label);
    if (SITEMAP_NAMESPACES.has(uri)) {
      if (local === 'urlset') {
        this.rootKind = 'urlset';
        return Role.URLSET;
      }
      if (local === 'sitemapindex') {
        this.rootKind = 'sitemapindex';
        return Role.INDEX;
      }
    }
    const ns = uri === '' ? '' : ` in namespace ${uri}`;
    throw new Error(
      `${this.options.label}: is not a sitemap: its root element is <${name}>${ns}, not <urlset> or <sitemapindex>`,
    );
  }

  private closeElement(): void {
    const role = this.roles.pop();
    const depth = this.roles.length;
    const outer = this.outerScopes[this.outerScopes.length - 1];
    if (outer !== undefined && outer.depth === depth) this.scope = this.outerScopes.pop()!.scope;
    if (role !== undefined && role >= Role.LOC) this.sax.off('text');
    const parent = this.roles[this.roles.length - 1];
    const entry = this.entry;
    switch (role) {
      case Role.URL:
        this.handlers.url(entry);
        break;
      case Role.SITEMAP:
        this.handlers.child(this.childLoc);
        break;
      case Role.LOC:
        if (parent === Role.URL) entry.loc ??= this.text;
        else if (parent === Role.SITEMAP) this.childLoc ??= this.text;
        break;
      case Role.LASTMOD:
        entry.lastmod ??= this.text;
        break;
      case Role.PRIORITY:
        entry.priority ??= this.text;
        break;
      case Role.IMAGE_LOC:
        (entry.images ??= []).push(this.text);
        break;
      default:
        break;
    }
  }

  private addText(text: string): void {
    const role = this.roles[this.roles.length - 1];
    if (role !== undefined && role >= Role.LOC) this.text += text;
  }

  private hint(message: string): string {
    if (/undefined entity/.test(message)) {
      return ' (only &amp; &lt; &gt; &quot; &apos; and numeric references are understood; entities declared in a DTD are not read)';
    }
    if (/unbound namespace prefix/.test(message)) {
      return ' (declare the prefix on the root element, e.g. xmlns:image="http://www.google.com/schemas/sitemap-image/1.1")';
    }
    return '';
  }

  private rawAmpersandHint(): string {
    const where =
      this.roles.length > 0 && this.roles[this.roles.length - 1]! >= Role.LOC
        ? ` in the element opened at line ${this.captureLine}, column ${this.captureColumn}`
        : '';
    return `a raw "&"${where} never ends as an entity; write it as &amp; (saxes would report this as an unclosed tag)`;
  }
}

function htmlPage(label: string): HtmlPageError {
  return new HtmlPageError(`${label}: is an HTML page, not a sitemap`);
}

/**
 * The entity name saxes is collecting. After a raw "&" it collects until the next ";" — often the
 * rest of the document — and only reports "unclosed tag" at the very end. saxes has no public
 * accessor for it; if a future version renames the field this returns "" and only the hint is lost.
 */
function pendingEntity(sax: SaxesParser<Options>): string {
  const entity = (sax as unknown as { entity?: unknown }).entity;
  return typeof entity === 'string' ? entity : '';
}

/** Parses a whole document from text chunks; returns its kind. */
export async function parseDocument(
  chunks: AsyncIterable<string>,
  options: ParseOptions,
  handlers: ParseHandlers,
): Promise<SitemapKind> {
  const parser = new SitemapParser(options, handlers);
  for await (const chunk of chunks) parser.write(chunk);
  parser.close();
  // close() succeeded, so a root element was seen and it was a sitemap root.
  return parser.kind!;
}
