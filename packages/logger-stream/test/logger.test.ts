import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  colorByDefault,
  createGatewayLogger,
  formatPretty,
  isProbePath,
  LEVEL_VALUES,
  levelValue,
  requestLevel,
} from '../src/index.js';
import { captureStream, tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function base(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}
const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('level names', () => {
  it.each([...Object.getOwnPropertyNames(Object.prototype), 'prototype'])(
    '%j (an inherited name) is an unknown level: the fallback applies',
    (name) => {
      expect(levelValue(name, 'warn')).toBe(LEVEL_VALUES.warn);
      expect(levelValue(name.toUpperCase(), 'debug')).toBe(LEVEL_VALUES.debug);
    },
  );
});

describe('per-sink levels', () => {
  it('sends each line only to sinks whose level it reaches', async () => {
    const dir = base();
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: dir,
      stdout: out,
      log: { loglevel: { console: 'warn', file: 'debug' }, colorize: false },
    });
    gw.logger.debug('dbg-line');
    gw.logger.info('info-line');
    gw.logger.warn('warn-line');
    gw.logger.error('error-line');
    await gw.close();
    const consoleMsgs = jsonLines(out.text()).map((r) => r.msg);
    expect(consoleMsgs).toEqual(['warn-line', 'error-line']);
    const fileMsgs = jsonLines(readFileSync(join(dir, 'logs', 'gw.1.log'), 'utf8')).map((r) => r.msg);
    expect(fileMsgs).toEqual(['dbg-line', 'info-line', 'warn-line', 'error-line']);
  });

  it('is silent when every sink is off (push off too)', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'off', push: 'off' } },
    });
    expect(gw.logger.level).toBe('silent');
    gw.logger.error('nothing');
    await gw.close();
    expect(out.text()).toBe('');
  });

  it('falls back to defaults for unknown level names rather than failing', () => {
    const gw = createGatewayLogger({ name: 'gw', baseDir: base(), log: { loglevel: { console: 'verbose' as never } } });
    // console falls back to off, push defaults to info.
    expect(gw.logger.level).toBe('info');
    void gw.close();
  });
});

describe('console formats', () => {
  it('colorize:true prints readable coloured lines with tenant, reqId and error stack', async () => {
    // A terminal: colours by default.
    const out = Object.assign(captureStream(), { isTTY: true });
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'info' }, colorize: true },
    });
    gw.forRequest({ reqId: 'r-42', tenant: 'acme' }).error({ err: new Error('boom') }, 'it failed');
    await gw.close();
    const text = out.text();
    expect(text).toContain('\x1b[31m'); // red for error
    expect(text).toContain('[acme]');
    expect(text).toContain('(r-42)');
    expect(text).toContain('it failed');
    expect(text).toMatch(/\n {4}.*Error: boom/);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('colours only a terminal by default; NO_COLOR and FORCE_COLOR decide over that', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'info' }, colorize: true },
    });
    gw.forRequest({ reqId: 'r-1', tenant: 'acme' }).error('to a file');
    await gw.close();
    expect(out.text()).toContain('to a file');
    expect(out.text()).not.toContain('\x1b[');
    const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
    expect(colorByDefault(tty, {})).toBe(true);
    expect(colorByDefault(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorByDefault(out, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorByDefault(out, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('formatPretty without colour has no escape codes and passes non-JSON through', () => {
    const line = '{"level":"warn","time":"2025-01-02T03:04:05.678Z","msg":"careful","extra":1}';
    expect(formatPretty(line, false)).toBe('03:04:05.678 WARN  careful {"extra":1}\n');
    expect(formatPretty('not json', false)).toBe('not json\n');
  });
});

describe('request lines', () => {
  it('writes one final line with the request facts; bodies only to debug sinks', async () => {
    const dir = base();
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: dir,
      stdout: out,
      log: { loglevel: { console: 'info', file: 'debug' }, colorize: false },
    });
    gw.logRequest({
      reqId: 'req-1',
      method: 'POST',
      path: '/acme/Users',
      tenant: 'acme',
      status: 201,
      durationMs: 12.3456,
      principal: 'gwadmin',
      requestBody: { userName: 'bjensen', password: 'pw-in-body' },
      responseBody: { id: 'bjensen', userName: 'bjensen' },
    });
    await gw.close();
    const [consoleRec] = jsonLines(out.text());
    expect(consoleRec).toMatchObject({
      level: 'info',
      kind: 'request',
      reqId: 'req-1',
      tenant: 'acme',
      method: 'POST',
      path: '/acme/Users',
      status: 201,
      durationMs: 12.35,
      principal: 'gwadmin',
    });
    expect(consoleRec).not.toHaveProperty('requestBody');
    expect(consoleRec).not.toHaveProperty('responseBody');
    const fileRecs = jsonLines(readFileSync(join(dir, 'logs', 'gw.1.log'), 'utf8'));
    expect(fileRecs).toHaveLength(1);
    expect(fileRecs[0]).toMatchObject({
      requestBody: { userName: 'bjensen', password: '********' },
      responseBody: { id: 'bjensen' },
    });
  });

  it('omits bodies entirely when no sink is at debug', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'info' }, colorize: false },
    });
    gw.logRequest({ reqId: 'r', method: 'GET', path: '/Users', status: 200, durationMs: 1, responseBody: { big: 'x' } });
    await gw.close();
    expect(out.text()).not.toContain('responseBody');
  });

  it('levels by status and skips health probes', async () => {
    expect([requestLevel(200), requestLevel(404), requestLevel(409), requestLevel(503)]).toEqual([
      'info',
      'info',
      'warn',
      'error',
    ]);
    for (const p of ['/ping', '/ping?x', '/healthz', '/acme/ping', '/readyz/']) expect(isProbePath(p)).toBe(true);
    for (const p of ['/Users', '/acme/Users/ping', '/pingu']) expect(isProbePath(p)).toBe(false);
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'debug' }, colorize: false },
    });
    gw.logRequest({ reqId: 'p', method: 'GET', path: '/ping', status: 200, durationMs: 0.1 });
    gw.logRequest({ reqId: 'e', method: 'GET', path: '/Users', status: 500, durationMs: 2 });
    await gw.close();
    const recs = jsonLines(out.text());
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ reqId: 'e', level: 'error' });
  });

  it('cuts huge bodies instead of writing megabytes per line', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'debug' }, colorize: false },
    });
    const Resources = Array.from({ length: 5000 }, (_, i) => ({ id: `u${i}`, userName: `user${i}@example.com` }));
    gw.logRequest({ reqId: 'big', method: 'GET', path: '/Users', status: 200, durationMs: 5, responseBody: { Resources } });
    await gw.close();
    const [rec] = jsonLines(out.text());
    expect(rec?.responseBody).toMatchObject({ truncated: true });
    expect(out.text().length).toBeLessThan(80 * 1024);
  });

  it('forRequest binds reqId and tenant to every line', async () => {
    const out = captureStream();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base(),
      stdout: out,
      log: { loglevel: { console: 'info' }, colorize: false },
    });
    gw.forRequest({ reqId: 'abc' }).info('no tenant');
    gw.forRequest({ reqId: 'def', tenant: 't1' }).info('with tenant');
    await gw.close();
    const recs = jsonLines(out.text());
    expect(recs[0]).toMatchObject({ reqId: 'abc', msg: 'no tenant' });
    expect(recs[0]).not.toHaveProperty('tenant');
    expect(recs[1]).toMatchObject({ reqId: 'def', tenant: 't1' });
  });
});
