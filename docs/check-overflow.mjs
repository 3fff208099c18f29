// Renders every built page in headless Chromium at 1280 px and fails on horizontal overflow: the
// page wider than the window, a table wider than the text column (a column cut off behind a
// scrollbar), or a table cell whose content is wider than the cell. Code blocks scroll by design
// and are not counted. Chromium is Debian's (`apt-get install chromium`); without it, this says so
// and fails unless SCIMGW_DOCS_NO_CHROMIUM=skip.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { chromium } from 'playwright-core';

const dist = join(import.meta.dirname, '.vitepress', 'dist');
if (!existsSync(dist)) {
  console.error('docs not built: run the build first');
  process.exit(1);
}
const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
if (!executablePath) {
  console.error('no Chromium here (apt-get install chromium): the overflow check did not run');
  process.exit(process.env.SCIMGW_DOCS_NO_CHROMIUM === 'skip' ? 0 : 1);
}

const pages = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.html') && !p.endsWith('404.html'))
      pages.push(
        p
          .slice(dist.length)
          .replace(/\.html$/, '')
          .replace(/\/index$/, '/'),
      );
  }
};
walk(dist);

const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const candidates = [join(dist, path), join(dist, `${path}.html`), join(dist, path, 'index.html')];
  const file = candidates.find((f) => f.startsWith(dist) && existsSync(f) && statSync(f).isFile());
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  for (const p of pages) {
    await page.goto(`${base}${p}`, { waitUntil: 'load' });
    const found = await page.evaluate(() => {
      const out = [];
      const doc = document.documentElement;
      if (doc.scrollWidth > window.innerWidth + 1) out.push(`page is ${doc.scrollWidth}px wide`);
      const label = (el) => el.textContent.trim().replace(/\s+/g, ' ').slice(0, 60);
      for (const t of document.querySelectorAll('.vp-doc table')) {
        if (t.scrollWidth > t.clientWidth + 1)
          out.push(`table "${label(t.rows[0] ?? t)}" is ${t.scrollWidth}px in ${t.clientWidth}px`);
        for (const cell of t.querySelectorAll('td, th'))
          if (cell.scrollWidth > cell.clientWidth + 1)
            out.push(`cell "${label(cell)}" is ${cell.scrollWidth}px in ${cell.clientWidth}px`);
      }
      return out;
    });
    for (const f of found) failures.push(`${p}: ${f}`);
  }
} finally {
  await browser.close();
  server.close();
}
for (const f of failures) console.error(f);
console.log(
  `${pages.length} pages rendered at 1280 px: ${failures.length ? `${failures.length} overflows` : 'no horizontal overflow'}`,
);
process.exit(failures.length ? 1 : 0);
