import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitepress';

// The sidebar is built from the files on disk, so adding a page never means
// editing this file: each page's first `# Heading` is its title, and an
// optional `order: N` in front matter sorts it.
const root = join(import.meta.dirname, '..');

function section(dir: string, text: string) {
  const items = readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.md'))
    .map((f) => {
      const src = readFileSync(join(root, dir, f), 'utf8');
      const title = /^#\s+(.+)$/m.exec(src)?.[1]?.trim() ?? f.replace(/\.md$/, '');
      const order = Number(/^order:\s*(\d+)/m.exec(src)?.[1] ?? 100);
      return { text: title, link: `/${dir}/${f.replace(/\.md$/, '')}`, order };
    })
    .sort((a, b) => a.order - b.order || a.text.localeCompare(b.text))
    .map(({ text, link }) => ({ text, link }));
  return { text, items };
}

export default defineConfig({
  title: 'scimgw',
  description: 'SCIM 2.0 / 1.1 provisioning gateway',
  cleanUrls: true,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/guide/getting-started' },
      { text: 'Reference', link: '/reference/configuration' },
    ],
    sidebar: [
      section('guide', 'Guide'),
      section('idp', 'Identity providers'),
      section('connectors', 'Connectors'),
      section('reference', 'Reference'),
    ],
    search: { provider: 'local' },
  },
});
