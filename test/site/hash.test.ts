/**
 * What a file's hashes see: content-ignore on text files only, binary files raw, large files in
 * chunks, and a page's own content (<main>, else <div role="main">, else <article>, else <body>) in
 * real-world HTML.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { hashBytes, WHOLE_FILE_LIMIT } from '../../src/site/hash.js';
import { ownContent } from '../../src/site/html.js';
import { compileContentIgnore, scanSite } from '../../src/site/index.js';
import { BATCH_BYTES, CHUNK_FILES, readFiles } from '../../src/site/read.js';
import { BASE, tempDir, writeSite } from '../helpers/site.js';

/** The reader thread's port keeps the process alive while it is open. */
function openPorts(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;
}

/** The own content ownContent() finds, as text. */
function own(html: string): string[] | undefined {
  return ownContent(html)?.map(([start, end]) => html.slice(start, end));
}

describe('ownContent: the page without the navigation around it', () => {
  it('takes <main>, with attributes, in any case, even when a script mentions </main>', () => {
    const html =
      '<html><head><script>document.write("<main>fake</main>")</script></head>' +
      '<body><nav>menu</nav><MAIN id="content" class="a>b" data-x=\'<main>\'>the content</Main><footer>f</footer></body></html>';
    expect(own(html)).toEqual(['the content']);
  });

  it('skips comments and raw-text elements that look like markup', () => {
    const html =
      '<body><!-- <main>commented</main> --><style>main::before{content:"</main>"}</style>' +
      '<textarea><main>typed</main></textarea><main>real <b>one</b></main></body>';
    expect(own(html)).toEqual(['real <b>one</b>']);
  });

  it('takes the <div role="main"> of themes without <main> (MkDocs, Read the Docs, Sphinx), nested divs inside it', () => {
    const mkdocs =
      '<body><div class="navbar"><div>menu</div></div><div class="container"><div class="row">' +
      '<div class="col-md-3"><div class="toc">toc</div></div>' +
      '<div class="col-md-9" role="main"><h1>Title</h1><div class="admonition"><p>note</p></div><p>text</p></div>' +
      '</div></div><footer>f</footer></body>';
    expect(own(mkdocs)).toEqual(['<h1>Title</h1><div class="admonition"><p>note</p></div><p>text</p>']);
    expect(
      own("<body><nav>n</nav><DIV class=x ROLE=main>a<div>b</div></DIV><div role='main'>second</div></body>"),
    ).toEqual(['a<div>b</div>']);
    // <main> wins; data-role is not role; a role="main" in a comment or a script is no element.
    expect(own('<body><div role="main">x</div><main>m</main></body>')).toEqual(['m']);
    expect(own('<body><div data-role="main">d</div><article>a</article></body>')).toEqual(['a']);
    expect(own('<body><!-- <div role="main"> --><script>"<div role=main>"</script><p>b</p></body>')).toEqual([
      '<!-- <div role="main"> --><script>"<div role=main>"</script><p>b</p>',
    ]);
    // Unclosed: it ends at </body>.
    expect(own('<body><div role="main"><p>open</body></html>')).toEqual(['<p>open']);
  });

  it('takes every top-level <article> when there is no <main> (a list page), nested ones inside theirs', () => {
    const html =
      '<body><nav>n</nav><article>one<article>comment</article>tail</article><aside>a</aside><article>two</article></body>';
    expect(own(html)).toEqual(['one<article>comment</article>tail', 'two']);
  });

  it('takes <body> when there is neither, and nothing when there is no body tag either', () => {
    expect(own('<html><head><title>t</title></head><body class="x">\n<p>text</p>\n</body></html>')).toEqual([
      '\n<p>text</p>\n',
    ]);
    expect(own('<p>a fragment</p>')).toBeUndefined();
  });

  it('ends a <main> without its end tag at </body>, and a <body> without one at the end of the file', () => {
    expect(own('<body><nav>n</nav><main>open ended<p>x</body><script>s</script></html>')).toEqual([
      'open ended<p>x',
    ]);
    expect(own('<html><body><p>no end tags')).toEqual(['<p>no end tags']);
  });

  it('does not take <mainframe> or <body-x> for <main> or <body>', () => {
    expect(own('<body><mainframe>x</mainframe><main>y</main></body>')).toEqual(['y']);
    expect(own('<body-x>a</body-x>')).toBeUndefined();
  });

  it('stops at a truncated tag or an unclosed comment, keeping the <body> begun before it', () => {
    expect(own('<body><main class="unterminated>text')).toEqual(['<main class="unterminated>text']);
    expect(own('<body><!-- never closed <main>x</main>')).toEqual(['<!-- never closed <main>x</main>']);
  });

  it('works on the bytes: offsets of a UTF-8 page read as latin1 are byte offsets', () => {
    const bytes = Buffer.from('<body><nav>日本</nav><main>内容 é</main></body>', 'utf8');
    const ranges = ownContent(bytes.toString('latin1'))!;
    expect(ranges).toHaveLength(1);
    expect(bytes.subarray(ranges[0]![0], ranges[0]![1]).toString('utf8')).toBe('内容 é');
  });
});

describe('hashBytes: content-ignore applies to text files only', () => {
  const mkdocs = compileContentIgnore('Build Date UTC : [^\\n]*');

  it('removes the matches before hashing a text file', () => {
    const a = hashBytes(
      Buffer.from('<p>x</p>\n<!-- Build Date UTC : 2026-12-05 03:56:46.818249+00:00 -->\n'),
      false,
      mkdocs,
    );
    const b = hashBytes(
      Buffer.from('<p>x</p>\n<!-- Build Date UTC : 2026-12-06 11:02:13.100000+00:00 -->\n'),
      false,
      mkdocs,
    );
    const c = hashBytes(
      Buffer.from('<p>y</p>\n<!-- Build Date UTC : 2026-12-06 11:02:13.100000+00:00 -->\n'),
      false,
      mkdocs,
    );
    expect(a.content).toBe(b.content);
    expect(c.content).not.toBe(a.content);
  });

  it('hashes a file the patterns do not match exactly as without patterns', () => {
    const bytes = Buffer.from('no stamp here');
    expect(hashBytes(bytes, false, mkdocs)).toEqual(hashBytes(bytes, false, undefined));
    expect(hashBytes(bytes, false, undefined).content).toBe(
      createHash('sha256').update(bytes).digest().toString('base64url', 0, 12),
    );
  });

  it('hashes binary files raw: a NUL byte or bytes that are not UTF-8 mean not text', () => {
    const ignoreX = compileContentIgnore('x+');
    for (const binary of [Buffer.from('xx\0yy'), Buffer.from([0x78, 0x78, 0xff, 0xfe, 0x79])]) {
      expect(hashBytes(binary, false, ignoreX)).toEqual(hashBytes(binary, false, undefined));
    }
    // The same bytes without the NUL are text: the pattern applies.
    expect(hashBytes(Buffer.from('xxyy'), false, ignoreX)).toEqual(
      hashBytes(Buffer.from('yy'), false, undefined),
    );
  });

  it('gives HTML files an own-content hash that ignores the navigation', () => {
    const a = hashBytes(Buffer.from('<body><nav>1 post</nav><main>text</main></body>'), true, undefined);
    const b = hashBytes(Buffer.from('<body><nav>2 posts</nav><main>text</main></body>'), true, undefined);
    const c = hashBytes(Buffer.from('<body><nav>2 posts</nav><main>new text</main></body>'), true, undefined);
    expect(a.content).not.toBe(b.content);
    expect(a.own).toBe(b.own);
    expect(c.own).not.toBe(b.own);
    expect(hashBytes(Buffer.from('<body><main>text</main></body>'), false, undefined).own).toBeUndefined();
  });
});

describe('hashBytes: a page whose content hash is unchanged keeps its own-content hash', () => {
  it('takes it from the previous state instead of parsing the page again, and parses a changed page', () => {
    const bytes = Buffer.from('<body><nav>n</nav><main>text</main></body>');
    const fresh = hashBytes(bytes, true, undefined);
    const marked = { content: fresh.content, own: 'RememberedOwn123' };
    expect(hashBytes(bytes, true, undefined, marked)).toEqual(marked);
    const changed = Buffer.from('<body><nav>n2</nav><main>text</main></body>');
    expect(hashBytes(changed, true, undefined, marked).own).toBe(fresh.own);
    expect(hashBytes(bytes, true, undefined, { content: fresh.content })).toEqual(fresh);
  });
});

describe('compileContentIgnore', () => {
  it('names content-ignore and the line of a pattern that does not compile', () => {
    const error = (() => {
      try {
        compileContentIgnore('Build Date UTC : [^\\n]*\n\n"\\d{4}-(\\d\\d"\n');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).input).toBe('content-ignore');
    expect((error as Error).message).toBe(
      'content-ignore: line 3 ""\\d{4}-(\\d\\d"" is not a valid regular expression (Unterminated group).',
    );
  });

  it('skips blank lines, and an empty input has no patterns', () => {
    expect(compileContentIgnore('\n  a\r\n\nb  \n').patterns.map((p) => p.source)).toEqual(['a', 'b']);
    expect(compileContentIgnore(undefined).patterns).toEqual([]);
  });
});

describe('scanSite: hashing', () => {
  it('hashes a file larger than the whole-file limit in chunks, to the same hash', async () => {
    const workspace = tempDir();
    const large = randomBytes(WHOLE_FILE_LIMIT + 12_345);
    writeSite(path.join(workspace, 'public'), { 'downloads/big.zip': large, 'index.html': '<main>x</main>' });
    const scan = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE });
    const big = scan.files.find((f) => f.path === 'downloads/big.zip')!;
    expect(big.size).toBe(large.length);
    expect(big.hashes).toEqual(hashBytes(large, false, undefined));
  });

  it('hashes files of every size around the reader batch size, each to its own bytes', async () => {
    const workspace = tempDir();
    const sizes = [
      0,
      1,
      17,
      3,
      BATCH_BYTES / 8 - 1,
      BATCH_BYTES / 8 + 1,
      BATCH_BYTES - 1,
      BATCH_BYTES,
      BATCH_BYTES + 1,
    ];
    sizes.push(2 * BATCH_BYTES + 5, 100, BATCH_BYTES - 100, 300_000, 7);
    const files = Object.fromEntries(
      sizes.map((size, i) => [`f${String(i).padStart(2, '0')}.bin`, randomBytes(size)]),
    );
    writeSite(path.join(workspace, 'public'), files);
    const scan = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE });
    expect(scan.files.map((f) => f.path)).toEqual(Object.keys(files));
    for (const file of scan.files) {
      expect(file.hashes).toEqual(hashBytes(files[file.path]!, false, undefined));
      expect(file.size).toBe(files[file.path]!.length);
    }
  });

  it('shares many files between the readers and still lists them in path order, each with its own hash', async () => {
    const workspace = tempDir();
    const count = CHUNK_FILES * 3 + 17;
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++)
      files[`d${i % 7}/f${String(i).padStart(4, '0')}.txt`] = randomBytes(i * 37);
    writeSite(path.join(workspace, 'public'), files);
    const scan = await scanSite({ workspace, siteDir: 'public', baseUrl: BASE });
    expect(scan.files.map((f) => f.path)).toEqual(Object.keys(files).sort());
    for (const file of scan.files)
      expect(file.hashes).toEqual(hashBytes(files[file.path]!, false, undefined));
  });

  it('stops when its signal is aborted, and throws the reason', async () => {
    const workspace = tempDir();
    writeSite(path.join(workspace, 'public'), { 'index.html': 'x' });
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      scanSite({ workspace, siteDir: 'public', baseUrl: BASE, signal: controller.signal }),
    ).rejects.toThrow('cancelled');
  });

  it('names the file that cannot be read, and ends the reader thread', async () => {
    const workspace = tempDir();
    writeSite(workspace, { 'ok.txt': 'fine' });
    const ports = openPorts();
    const tooLong = 'x'.repeat(300); // no file system takes a name this long: open fails
    const reads = readFiles({
      root: workspace,
      files: ['ok.txt', tooLong],
      wholeFileLimit: WHOLE_FILE_LIMIT,
    });
    const error = await (async () => {
      for await (const read of reads) expect(read.index).toBe(0);
    })().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`^site-dir: cannot read ${tooLong}: ENAMETOOLONG`));
    expect(openPorts()).toBe(ports);
  });

  it('ends the reader thread when the caller stops early, and after a whole scan', async () => {
    const workspace = tempDir();
    writeSite(workspace, { 'a.txt': 'a', 'b.txt': 'b' });
    const ports = openPorts();
    for await (const read of readFiles({ root: workspace, files: ['a.txt', 'b.txt'], wholeFileLimit: 100 })) {
      expect(openPorts()).toBe(ports + 1);
      expect(read.index).toBe(0);
      break;
    }
    expect(openPorts()).toBe(ports);
    await scanSite({ workspace, siteDir: '.', baseUrl: BASE });
    expect(openPorts()).toBe(ports);
  });

  it('reports a file removed after it was listed as missing, and goes on', async () => {
    const workspace = tempDir();
    writeSite(workspace, { 'a.txt': 'a', 'c.txt': 'c' });
    const results = [];
    for await (const read of readFiles({
      root: workspace,
      files: ['a.txt', 'b.txt', 'c.txt'],
      wholeFileLimit: 100,
    })) {
      results.push(
        'missing' in read
          ? [read.index, 'missing']
          : [read.index, 'bytes' in read ? read.bytes.toString() : 'hash' in read ? read.hash : 'special'],
      );
    }
    expect(results).toEqual([
      [0, 'a'],
      [1, 'missing'],
      [2, 'c'],
    ]);
  });
});
