/**
 * A Hugo-like blog, built as Hugo's default layouts write it (see /work/shared/docs/generators.md):
 * every page has the site's header and a "Recent posts" sidebar (so adding a post rewrites the
 * navigation of most pages while their own `<main>` stays the same), a paginated home page, a posts
 * section, tag pages, an RSS feed per section and taxonomy (`index.xml`), `sitemap.xml`, a stylesheet,
 * a script, post images and a 404 page. Deterministic: the same spec gives the same bytes.
 */

export interface Post {
  n: number;
  /** The post's own text; an edit changes it. */
  text: string;
  tags: readonly string[];
  image: boolean;
}

export interface BlogSpec {
  posts: readonly Post[];
  /** The theme's version: a theme change rewrites the header of every page, the stylesheet and the script. */
  theme: number;
  /** The site's own stylesheet rules, appended to the theme's. */
  css: string;
  about: string;
}

const TAGS = ['cdn', 'deploy', 'caching', 'hugo', 'ops'];
const PER_PAGE = 10;
const WORDS = 'edge origin cache refresh prefetch quota deploy build page asset route header'.split(' ');

export function post(n: number, edit = 0): Post {
  const words = Array.from({ length: 60 + (n % 7) * 10 }, (_, i) => WORDS[(n * 7 + i * 3) % WORDS.length]);
  const text = `${words.join(' ')}.${edit > 0 ? ` Updated (edit ${edit}): a correction.` : ''}`;
  return { n, text, tags: [TAGS[n % TAGS.length]!, TAGS[(n * 3 + 1) % TAGS.length]!], image: n % 3 === 0 };
}

/** A blog of `count` posts, numbered 1.. (newest last). */
export function blog(count: number, theme = 1): BlogSpec {
  return {
    posts: Array.from({ length: count }, (_, i) => post(i + 1)),
    theme,
    css: '.post{margin:0 auto;max-width:42rem}',
    about: 'We write about serving static sites from a CDN.',
  };
}

const date = (n: number): string => new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10);
const postPath = (p: Post): string => `/posts/post-${p.n}/`;

function layout(spec: BlogSpec, title: string, main: string): string {
  const recent = [...spec.posts]
    .reverse()
    .slice(0, 5)
    .map((p) => `<li><a href="${postPath(p)}">Post ${p.n}</a></li>`)
    .join('');
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${title} | Edge Notes</title>\n` +
    `<link rel="stylesheet" href="/css/style.css"><link rel="alternate" type="application/rss+xml" href="/index.xml"></head>\n` +
    `<body><header class="theme-v${spec.theme}"><nav><a href="/">Edge Notes</a> <a href="/posts/">Posts</a> ` +
    `<a href="/tags/">Tags</a> <a href="/about/">About</a></nav></header>\n` +
    `<aside class="sidebar"><h2>Recent posts</h2><ul>${recent}</ul></aside>\n` +
    `<main>${main}</main>\n<footer>Built with a Hugo-like generator</footer><script src="/js/main.js"></script></body></html>\n`
  );
}

function list(posts: readonly Post[]): string {
  return `<ul>${posts.map((p) => `<li><a href="${postPath(p)}">Post ${p.n}</a> <time>${date(p.n)}</time></li>`).join('')}</ul>`;
}

function feed(title: string, link: string, posts: readonly Post[]): string {
  const newest = [...posts].reverse();
  const items = newest
    .slice(0, 20)
    .map(
      (p) =>
        `<item><title>Post ${p.n}</title><link>https://www.example.com${postPath(p)}</link>` +
        `<pubDate>${date(p.n)}</pubDate><description>${p.text.slice(0, 80)}</description></item>`,
    )
    .join('\n');
  const built = newest[0] ? date(newest[0].n) : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>${title}</title>` +
    `<link>https://www.example.com${link}</link><lastBuildDate>${built}</lastBuildDate>\n${items}\n</channel></rss>\n`
  );
}

/** A PNG-looking image, different per post. */
function image(n: number): Buffer {
  const bytes = Buffer.alloc(2048 + n * 13);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + n * 17) & 0xff;
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

/** The built site: path under the publish folder → content. */
export function build(spec: BlogSpec): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  const newest = [...spec.posts].reverse();
  const pages = Math.max(1, Math.ceil(newest.length / PER_PAGE));
  for (let page = 1; page <= pages; page++) {
    const slice = newest.slice((page - 1) * PER_PAGE, page * PER_PAGE);
    const more = page < pages ? `<a href="/page/${page + 1}/">Older</a>` : '';
    files[page === 1 ? 'index.html' : `page/${page}/index.html`] = layout(
      spec,
      'Edge Notes',
      `${list(slice)}${more}`,
    );
  }
  files['posts/index.html'] = layout(spec, 'Posts', list(newest));
  for (const p of spec.posts) {
    const img = p.image ? `<img src="/images/post-${p.n}.png" alt="">` : '';
    const tags = p.tags.map((t) => `<a href="/tags/${t}/">${t}</a>`).join(' ');
    files[`posts/post-${p.n}/index.html`] = layout(
      spec,
      `Post ${p.n}`,
      `<article><h1>Post ${p.n}</h1><time>${date(p.n)}</time>${img}<p>${p.text}</p><p>${tags}</p></article>`,
    );
    if (p.image) files[`images/post-${p.n}.png`] = image(p.n);
  }
  const used = TAGS.filter((t) => spec.posts.some((p) => p.tags.includes(t)));
  files['tags/index.html'] = layout(
    spec,
    'Tags',
    `<ul>${used.map((t) => `<li><a href="/tags/${t}/">${t}</a></li>`).join('')}</ul>`,
  );
  for (const tag of used) {
    const tagged = newest.filter((p) => p.tags.includes(tag));
    files[`tags/${tag}/index.html`] = layout(spec, tag, list(tagged));
    files[`tags/${tag}/index.xml`] = feed(`${tag} on Edge Notes`, `/tags/${tag}/`, tagged);
  }
  files['about/index.html'] = layout(spec, 'About', `<article><h1>About</h1><p>${spec.about}</p></article>`);
  files['404.html'] =
    `<!DOCTYPE html><html><body class="theme-v${spec.theme}"><h1>Not found</h1></body></html>\n`;
  files['index.xml'] = feed('Edge Notes', '/', spec.posts);
  files['posts/index.xml'] = feed('Posts on Edge Notes', '/posts/', spec.posts);
  files['tags/index.xml'] = feed('Tags on Edge Notes', '/tags/', []);
  files['css/style.css'] =
    `/* theme v${spec.theme} */\nbody{font:16px/1.5 ${spec.theme === 1 ? 'Georgia' : 'system-ui'},serif}\n${spec.css}\n`;
  files['js/main.js'] = `// theme v${spec.theme}\ndocument.documentElement.classList.add('js');\n`;
  files['favicon.ico'] = image(0);
  const urls = Object.keys(files)
    .filter((f) => f.endsWith('.html') && f !== '404.html')
    .map((f) => `<url><loc>https://www.example.com/${f.replace(/index\.html$/, '')}</loc></url>`);
  files['sitemap.xml'] =
    `<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${urls.join('\n')}\n</urlset>\n`;
  return files;
}

/** The URL path visitors ask for a file by (`a/index.html` → `/a/`). */
export function urlPathOf(file: string): string {
  return `/${file.replace(/(^|\/)index\.html$/, '$1')}`;
}

/** The URL paths whose content differs between two builds: added and modified files. */
export function changedPaths(
  before: Record<string, string | Buffer>,
  after: Record<string, string | Buffer>,
): string[] {
  const same = (a: string | Buffer | undefined, b: string | Buffer): boolean =>
    a !== undefined && Buffer.from(a).equals(Buffer.from(b));
  return Object.keys(after)
    .filter((file) => !same(before[file], after[file]!))
    .map(urlPathOf)
    .sort();
}
