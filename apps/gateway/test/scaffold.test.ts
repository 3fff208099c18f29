/**
 * `scimgw new-connector`: the package it writes passes the Connector contract kit as generated.
 * (The same scaffold is installed from npm tarballs and served by a gateway in testing/tarballs.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connector, ConnectorConfigSchema, ConnectorFactoryContext } from '@scimgw/core';
import { connectorContractCases, idpReplayCases, recordingCases, testContext } from '@scimgw/core/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

// Inside this package, so the generated code resolves @scimgw/core and @scimgw/config from here.
const base = mkdtempSync(join(import.meta.dirname, '..', '.scaffold-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), cwd: base } };
}

describe('scimgw new-connector', () => {
  it('writes a package with the right shape, every placeholder filled', async () => {
    const r = io();
    expect(await runCli(['new-connector', '@acme/scimgw-connector-hr', '--dir', 'hr'], r.io)).toBe(0);
    const dir = join(base, 'hr');
    for (const f of [
      'package.json',
      'README.md',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
      'src/index.ts',
      'src/config.ts',
      'src/store.ts',
      'test/contract.test.ts',
      'test/recordings.test.ts',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/\{\{\w+\}\}/);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@acme/scimgw-connector-hr',
      type: 'module',
      peerDependencies: { '@scimgw/core': expect.stringMatching(/^\^1\.0\.0$/) },
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    });
    expect(pkg.dependencies['@scimgw/core']).toBeUndefined();
  });

  it('the generated connector passes the contract kit and the IdP replays, and validates its endpoint section', async () => {
    const mod = (await import(join(base, 'hr', 'src', 'index.ts'))) as {
      createConnector: (c: ConnectorFactoryContext<{ exampleData?: boolean }>) => Connector;
      configSchema: ConnectorConfigSchema;
    };
    const cases = connectorContractCases({ connector: () => mod.createConnector(testContext({ exampleData: false })) });
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) await c.run();
    // And every identity provider's traffic, as the generated test runs it.
    const replays = idpReplayCases({ connector: () => mod.createConnector(testContext({ exampleData: false })) });
    expect(replays.length).toBeGreaterThan(10);
    for (const c of replays) await c.run();
    const bad = mod.configSchema.validate({ exampleDta: true });
    expect(bad.ok).toBe(false);
    // It says before starting that it checks no passed-through credential, as the built one does.
    const good = mod.configSchema.validate({});
    expect(good.ok && mod.configSchema.passThroughAuth?.(good.value)).toBe(false);
    expect(mod.createConnector(testContext({ exampleData: false })).passThroughAuth ?? false).toBe(false);
  });

  it('the generated connector replays the recording it ships (test/recordings), as its test runs it', async () => {
    const mod = (await import(join(base, 'hr', 'src', 'index.ts'))) as {
      createConnector: (c: ConnectorFactoryContext<{ exampleData?: boolean }>) => Connector;
    };
    const dir = join(base, 'hr', 'test', 'recordings');
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(files).toEqual(['okta.jsonl']);
    const recordings = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    // The scaffold fills {{name}}-style placeholders: the recording's {{secret}} must come through.
    expect(recordings['okta.jsonl']).toContain('{{secret}}');
    const cases = recordingCases({ connector: () => mod.createConnector(testContext({ exampleData: false })), recordings });
    for (const c of cases) await c.run();
  });

  it('refuses a bad package name and a folder that is not empty', async () => {
    const bad = io();
    expect(await runCli(['new-connector', 'Not Valid'], bad.io)).toBe(1);
    expect(bad.err.join()).toMatch(/not a valid npm package name/);
    mkdirSync(join(base, 'busy'));
    writeFileSync(join(base, 'busy', 'keep.txt'), 'x');
    const busy = io();
    expect(await runCli(['new-connector', 'busy-connector', '--dir', 'busy'], busy.io)).toBe(1);
    expect(busy.err.join()).toMatch(/exists and is not empty/);
    expect(readFileSync(join(base, 'busy', 'keep.txt'), 'utf8')).toBe('x');
    const none = io();
    expect(await runCli(['new-connector'], none.io)).toBe(2);
  });
});
