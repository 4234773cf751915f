/**
 * A blog as Hugo builds it (its default layouts and a common theme): every page has the header
 * navigation (home, posts, tags, categories, about), the stylesheet, the script, the favicon and the
 * RSS feed's `<link>`; posts say their date in `<time datetime>` and list their tags and category;
 * the home page lists the 10 newest posts (then /page/2/); taxonomy lists and their feeds; sitemap.xml,
 * 404.html, post images. Deterministic: the same spec gives the same bytes.
 */

export interface HugoPost {
  n: number;
  /** An edit changes the post's own text. */
  edit?: number;
}

const TAGS = ['cdn', 'deploy', 'caching', 'hugo', 'ops'];
const CATEGORIES = ['notes', 'guides'];
const PER_PAGE = 10;

const date = (n: number): string => new Date(Date.UTC(2026, 0, n)).toISOString().slice(0, 10);
const postPath = (n: number): string => `/posts/post-${n}/`;
const tagsOf = (n: number): string[] => [TAGS[n % TAGS.length]!, TAGS[(n * 3 + 1) % TAGS.length]!];
const categoryOf = (n: number): string => CATEGORIES[n % CATEGORIES.length]!;

function layout(title: string, main: string): string {
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${title} | Edge Notes</title>\n` +
    '<link rel="stylesheet" href="/css/style.min.css"><link rel="icon" href="/favicon.ico">\n' +
    '<link rel="alternate" type="application/rss+xml" href="https://www.example.com/index.xml" title="Edge Notes">\n' +
    '</head>\n<body><header><nav><a href="/">Edge Notes</a> <a href="/posts/">Posts</a> ' +
    '<a href="/tags/">Tags</a> <a href="/categories/">Categories</a> <a href="/about/">About</a></nav></header>\n' +
    `<main>${main}</main>\n<footer>© 2026</footer><script src="/js/main.js"></script></body></html>\n`
  );
}

function list(posts: readonly HugoPost[]): string {
  return `<ul>${posts
    .map(
      (p) =>
        `<li><a href="${postPath(p.n)}">Post ${p.n}</a> <time datetime="${date(p.n)}">${date(p.n)}</time></li>`,
    )
    .join('')}</ul>`;
}

function feed(posts: readonly HugoPost[]): string {
  const items = posts.map((p) => `<item><link>https://www.example.com${postPath(p.n)}</link></item>`);
  return `<?xml version="1.0"?><rss><channel>${items.join('')}</channel></rss>\n`;
}

/** The built site for `posts` (numbered from 1, newest last): path under public/ → content. */
export function hugoSite(posts: readonly HugoPost[]): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  const newest = [...posts].reverse();
  const pages = Math.max(1, Math.ceil(newest.length / PER_PAGE));
  for (let page = 1; page <= pages; page++) {
    const slice = newest.slice((page - 1) * PER_PAGE, page * PER_PAGE);
    const more = page < pages ? `<a href="/page/${page + 1}/">Older</a>` : '';
    files[page === 1 ? 'index.html' : `page/${page}/index.html`] = layout('Edge Notes', list(slice) + more);
  }
  files['posts/index.html'] = layout('Posts', list(newest));
  files['posts/index.xml'] = feed(newest);
  for (const p of posts) {
    const tags = tagsOf(p.n)
      .map((t) => `<a href="/tags/${t}/">${t}</a>`)
      .join(' ');
    const image =
      p.n % 3 === 0 ? `<img src="../../images/post-${p.n}.png" srcset="/images/post-${p.n}.png 1x">` : '';
    const text = `Post ${p.n} text${p.edit ? `, edited (${p.edit})` : ''}.`;
    files[`posts/post-${p.n}/index.html`] = layout(
      `Post ${p.n}`,
      `<article><h1>Post ${p.n}</h1><time datetime="${date(p.n)}T09:00:00Z">${date(p.n)}</time>${image}` +
        `<p>${text}</p><p>${tags} · <a href="/categories/${categoryOf(p.n)}/">${categoryOf(p.n)}</a></p></article>`,
    );
    if (p.n % 3 === 0) files[`images/post-${p.n}.png`] = Buffer.alloc(64 + p.n, p.n);
  }
  for (const [kind, names, of] of [
    ['tags', TAGS, tagsOf],
    ['categories', CATEGORIES, (n: number) => [categoryOf(n)]],
  ] as const) {
    const used = names.filter((name) => posts.some((p) => of(p.n).includes(name)));
    files[`${kind}/index.html`] = layout(
      kind,
      `<ul>${used.map((name) => `<li><a href="/${kind}/${name}/">${name}</a></li>`).join('')}</ul>`,
    );
    for (const name of used) {
      const tagged = newest.filter((p) => of(p.n).includes(name));
      files[`${kind}/${name}/index.html`] = layout(name, list(tagged));
      files[`${kind}/${name}/index.xml`] = feed(tagged);
    }
  }
  files['about/index.html'] = layout('About', '<article><h1>About</h1><p>Notes on CDNs.</p></article>');
  files['404.html'] = layout('Not found', '<h1>Not found</h1>');
  files['index.xml'] = feed(newest);
  files['css/style.min.css'] = 'body{font:16px/1.5 system-ui}\n';
  files['js/main.js'] = "document.documentElement.classList.add('js');\n";
  files['favicon.ico'] = Buffer.alloc(32, 1);
  const locs = Object.keys(files)
    .filter((file) => file.endsWith('.html') && file !== '404.html')
    .map((file) => `<url><loc>https://www.example.com/${file.replace(/index\.html$/, '')}</loc></url>`);
  files['sitemap.xml'] = `<?xml version="1.0"?><urlset>${locs.join('')}</urlset>\n`;
  return files;
}

/** Posts 1..count. */
export function posts(count: number): HugoPost[] {
  return Array.from({ length: count }, (_, i) => ({ n: i + 1 }));
}
