// Fails when a built page links to a page that does not exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(import.meta.dirname, '.vitepress', 'dist');
if (!existsSync(dist)) {
  console.error('docs not built: run the build first');
  process.exit(1);
}
const pages = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.html')) pages.push(p);
  }
};
walk(dist);
let broken = 0;
for (const page of pages) {
  const html = readFileSync(page, 'utf8');
  for (const m of html.matchAll(/href="(\/[^"#?]*)/g)) {
    const link = m[1];
    if (link.startsWith('/assets/') || link === '/') continue;
    const target = join(dist, link.replace(/\/$/, '/index'));
    if (!existsSync(`${target}.html`) && !existsSync(target)) {
      console.error(`${page.slice(dist.length)} → ${link} (missing)`);
      broken++;
    }
  }
}
console.log(`${pages.length} pages checked, ${broken} broken links`);
process.exit(broken ? 1 : 0);
