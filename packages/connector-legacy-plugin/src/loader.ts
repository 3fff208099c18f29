/**
 * Loads a plugin file written for the older API, unmodified. esbuild compiles it (TypeScript or
 * JavaScript, ES module or CommonJS) into one ES module in which the module the plugin imports the
 * gateway from (`scimgateway`, or `./scimgateway` / `./helper-rest` in older layouts) is replaced
 * by a small module handing out this connector's gateway object; every other import keeps pointing
 * at the package the plugin's own folder resolves. The plugin's top level runs during the import,
 * so loads are serialized: each one sees its own gateway object.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Where the loading plugin finds its gateway (a global symbol, set only while one plugin loads). */
const HOOK = Symbol.for('@scimgw/connector-legacy-plugin/loading');
/** Specifiers that meant "the gateway" in the older API's plugins. */
const GATEWAY_SPECIFIER = /^(?:scimgateway|(?:\.{1,2}\/)+(?:lib\/)?(?:scimgateway|helper-rest)(?:\.[cm]?[jt]s)?)$/;

/**
 * The module that stands in for `scimgateway`: CommonJS, so `require('scimgateway')`,
 * `import { ScimGateway, HelperRest } from 'scimgateway'` and a default import all work.
 */
const SHIM_SOURCE = `const api = globalThis[Symbol.for('@scimgw/connector-legacy-plugin/loading')];
if (!api) throw new Error('this plugin must be loaded by @scimgw/connector-legacy-plugin');
module.exports = api;`;

/** What a plugin's `scimgateway` module exports while it loads. */
export interface GatewayModule {
  (): unknown;
  ScimGateway: unknown;
  HelperRest: unknown;
  default?: unknown;
}

const shimPlugin: Plugin = {
  name: 'scimgw-legacy-gateway',
  setup(b) {
    b.onResolve({ filter: GATEWAY_SPECIFIER }, () => ({ path: 'scimgateway', namespace: 'scimgw-legacy' }));
    b.onLoad({ filter: /.*/, namespace: 'scimgw-legacy' }, () => ({ contents: SHIM_SOURCE, loader: 'js' }));
    // Every other package stays external, at the path the plugin's folder resolves it to.
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving' || args.path.startsWith('node:')) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      if (r.errors.length > 0) return { errors: r.errors };
      return { path: r.external ? args.path : pathToFileURL(r.path).href, external: true };
    });
  },
};

let queue: Promise<unknown> = Promise.resolve();

/**
 * Compiles and imports `file` with `gateway` as its `scimgateway` module. Resolves when the
 * plugin's top level has run.
 *
 * @throws Error naming the file when it does not compile or its top level throws.
 */
export function loadLegacyPlugin(file: string, gateway: GatewayModule): Promise<void> {
  const run = queue.then(() => compileAndImport(file, gateway));
  queue = run.catch(() => undefined);
  return run;
}

async function compileAndImport(file: string, gateway: GatewayModule): Promise<void> {
  let code: string;
  try {
    const out = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      plugins: [shimPlugin],
      // CommonJS plugins `require()` their packages: give the module a require rooted at the plugin.
      banner: {
        js: `import { createRequire as __scimgwCreateRequire } from 'node:module'; const require = __scimgwCreateRequire(${JSON.stringify(pathToFileURL(file).href)});`,
      },
    });
    code = out.outputFiles[0]?.text ?? '';
  } catch (e) {
    const first = (e as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    const where = first?.location ? `:${first.location.line}:${first.location.column}` : '';
    throw new Error(`cannot compile plugin ${file}${where}: ${first?.text ?? (e as Error).message}`);
  }
  // A fresh file per load: the module cache would otherwise hand a second connector the first one's plugin.
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-legacy-'));
  const compiled = join(dir, 'plugin.mjs');
  writeFileSync(compiled, code);
  const g = globalThis as Record<symbol, unknown>;
  g[HOOK] = gateway;
  try {
    await import(pathToFileURL(compiled).href);
  } catch (e) {
    throw new Error(`plugin ${file} failed while loading: ${(e as Error).message}`);
  } finally {
    delete g[HOOK];
    rmSync(dir, { recursive: true, force: true });
  }
}
