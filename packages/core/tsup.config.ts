import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  entry: [
    'src/index.ts',
    'src/filter/index.ts',
    'src/patch/index.ts',
    'src/handler/index.ts',
    'src/host.ts',
    'src/testkit/index.ts',
  ],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  define: { __SCIMGW_CORE_VERSION__: JSON.stringify(version) },
});
