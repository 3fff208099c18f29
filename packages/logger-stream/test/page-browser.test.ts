/// <reference lib="dom" />
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayLogger, createGatewayLogger } from '../src/index.js';
import { closeServer, tempDir } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`[page-browser] skipped: ${CHROMIUM} not found (apt-get install -y chromium to run the browser check)`);
}
const DOCS_SCREENSHOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/public/logger-page.png');

describe.skipIf(!hasChromium)('live log page in headless Chromium', () => {
  const tmp = tempDir();
  let gw: GatewayLogger;
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    gw = createGatewayLogger({ name: 'connector-loki', baseDir: tmp.dir, log: { loglevel: { push: 'debug' } } });
    server = createServer((req, res) => {
      const m = /^\/(?:([^/?]+)\/)?logger(?:\?|$)/.exec(req.url ?? '');
      if (!m) return void res.writeHead(404).end();
      gw.stream.handle(req, res, m[1] ? { tenant: m[1] } : {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await closeServer(server);
    tmp.cleanup();
  });

  function sampleTraffic(): void {
    const acme = gw.forRequest({ reqId: '7f3a9c', tenant: 'acme' });
    const globex = gw.forRequest({ reqId: 'b81e04', tenant: 'globex' });
    gw.logger.info({ port: 8880 }, 'connector-loki listening');
    acme.debug({ filter: 'userName eq "bjensen"' }, 'getUsers');
    gw.logRequest({
      reqId: '7f3a9c',
      tenant: 'acme',
      method: 'GET',
      path: '/acme/Users?filter=userName eq "bjensen"',
      status: 200,
      durationMs: 4.21,
      principal: 'entra-prov',
      responseBody: { totalResults: 1 },
    });
    globex.info({ userName: 'jsmith', password: 'not-shown' }, 'createUser');
    gw.logRequest({
      reqId: 'b81e04',
      tenant: 'globex',
      method: 'POST',
      path: '/globex/Users',
      status: 201,
      durationMs: 12.9,
      principal: 'okta',
    });
    acme.warn({ attempt: 2 }, 'backend slow, retrying');
    gw.logRequest({
      reqId: 'c0ffee',
      tenant: 'acme',
      method: 'PATCH',
      path: '/acme/Groups/Admins',
      status: 409,
      durationMs: 7.5,
    });
    acme.error({ err: new Error('LDAP connection refused (ECONNREFUSED 10.0.0.5:636)') }, 'modifyGroup failed');
    gw.logRequest({
      reqId: 'dead01',
      tenant: 'acme',
      method: 'PATCH',
      path: '/acme/Groups/Admins',
      status: 500,
      durationMs: 30.2,
    });
    gw.logger.info('<img src=x onerror="window.__xss=1"> stays text');
  }

  it('shows lines live, coloured by level, with filters, and inserts log data as text only', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
    try {
      await page.goto(`${base}/logger`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => document.getElementById('st')?.textContent === 'live', undefined, { timeout: 10_000 });
      expect(await page.textContent('#scope')).toBe('all tenants');
      sampleTraffic();
      await page.waitForFunction(() => document.querySelectorAll('.row').length >= 10, undefined, { timeout: 10_000 });
      const levels = await page.$$eval('.row', (rows) => rows.map((r) => (r as HTMLElement).dataset.level));
      expect(levels).toEqual(['info', 'debug', 'info', 'info', 'info', 'warn', 'warn', 'error', 'error', 'info']);
      const colour = (sel: string) => page.$eval(sel, (e) => getComputedStyle(e).color);
      const [info, warn, error] = await Promise.all([colour('.row.info .lv'), colour('.row.warn .lv'), colour('.row.error .lv')]);
      expect(new Set([info, warn, error]).size).toBe(3);
      // The masked password shows as the mask; the would-be XSS is inert text.
      expect(await page.textContent('#log')).toContain('********');
      expect(await page.textContent('#log')).not.toContain('not-shown');
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
      expect(await page.textContent('#log')).toContain('<img src=x onerror="window.__xss=1"> stays text');
      // Auto-scroll keeps the newest line in view.
      expect(
        await page.evaluate(() => {
          const log = document.getElementById('log')!;
          return log.scrollHeight - log.scrollTop - log.clientHeight < 30;
        }),
      ).toBe(true);
      // Client-side level filter.
      await page.selectOption('#lvl', 'warn');
      expect(await page.$$eval('.row:not([hidden])', (rows) => rows.length)).toBe(4);
      await page.selectOption('#lvl', 'debug');
      await page.fill('#q', 'globex');
      expect(await page.$$eval('.row:not([hidden])', (rows) => rows.length)).toBe(2);
      await page.fill('#q', '');
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const shot = join(tmp.dir, 'logger-page.png');
      await page.screenshot({ path: shot });
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
      // Refresh the docs screenshot when asked to, or when it is missing.
      if (process.env.SCIMGW_UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_SCREENSHOT)) {
        mkdirSync(dirname(DOCS_SCREENSHOT), { recursive: true });
        copyFileSync(shot, DOCS_SCREENSHOT);
      }
    } finally {
      await page.close();
    }
  });

  it('a tenant page shows its scope and only that tenant', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/globex/logger`, { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => document.getElementById('st')?.textContent === 'live', undefined, { timeout: 10_000 });
      expect(await page.textContent('#scope')).toBe('tenant: globex');
      sampleTraffic();
      await page.waitForFunction(() => document.querySelectorAll('.row').length >= 2, undefined, { timeout: 10_000 });
      await new Promise((r) => setTimeout(r, 200));
      const tenants = await page.$$eval('.row .tn', (els) => els.map((e) => e.textContent));
      expect(tenants).toEqual(['[globex] ', '[globex] ']);
    } finally {
      await page.close();
    }
  });
});
