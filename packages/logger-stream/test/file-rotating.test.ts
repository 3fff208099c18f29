import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFileSink, createGatewayLogger } from '../src/index.js';
import { tempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function tmp(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('RotatingFileSink', () => {
  it('rotates at maxBytes and keeps exactly maxFiles files, newest lines in the active file', () => {
    const dir = tmp();
    const file = join(dir, 'logs', 'gw.log');
    const sink = new RotatingFileSink({ file, maxBytes: 1000, maxFiles: 3 });
    for (let i = 0; i < 200; i++) sink.write(`{"n":${1000 + i},"pad":"${'x'.repeat(80)}"}\n`);
    sink.close();
    const files = readdirSync(join(dir, 'logs')).sort();
    expect(files).toEqual(['gw.log', 'gw.log.1', 'gw.log.2']);
    for (const f of files) expect(statSync(join(dir, 'logs', f)).size).toBeLessThanOrEqual(1000);
    const lines = (f: string) =>
      readFileSync(join(dir, 'logs', f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { n: number }).n - 1000);
    const active = lines('gw.log');
    expect(active.at(-1)).toBe(199);
    // Older files hold the lines just before, in order, with nothing lost in between.
    const all = [...lines('gw.log.2'), ...lines('gw.log.1'), ...active];
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => 200 - all.length + i));
  });

  it('with maxFiles 1 starts the file afresh instead of keeping old ones', () => {
    const dir = tmp();
    const file = join(dir, 'gw.log');
    const sink = new RotatingFileSink({ file, maxBytes: 100, maxFiles: 1 });
    for (let i = 0; i < 10; i++) sink.write(`line ${i} ${'y'.repeat(40)}\n`);
    sink.close();
    expect(readdirSync(dir)).toEqual(['gw.log']);
    expect(readFileSync(file, 'utf8')).toContain('line 9');
  });

  it('appends to an existing file and counts its size', () => {
    const dir = tmp();
    const file = join(dir, 'gw.log');
    writeFileSync(file, `${'z'.repeat(90)}\n`);
    const sink = new RotatingFileSink({ file, maxBytes: 100, maxFiles: 2 });
    sink.write('0123456789012345678901234567890\n');
    sink.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe(`${'z'.repeat(90)}\n`);
    expect(readFileSync(file, 'utf8')).toBe('0123456789012345678901234567890\n');
  });

  it('creates nothing before the first line', () => {
    const dir = tmp();
    const sink = new RotatingFileSink({ file: join(dir, 'never', 'gw.log'), maxBytes: 1000, maxFiles: 2 });
    sink.close();
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('reports an unwritable location once and never throws into the caller', () => {
    const dir = tmp();
    // A regular file where a directory should be: fails even for root, unlike permission bits.
    writeFileSync(join(dir, 'blocker'), 'x');
    const errors: Error[] = [];
    const sink = new RotatingFileSink({
      file: join(dir, 'blocker', 'gw.log'),
      maxBytes: 1000,
      maxFiles: 2,
      onError: (e) => errors.push(e),
    });
    expect(() => {
      for (let i = 0; i < 5; i++) sink.write('hello\n');
    }).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/ENOTDIR|EEXIST/);
  });
});

describe('file logging through the gateway logger', () => {
  it('creates no log directory or file when file logging is off', async () => {
    const base = tmp();
    const gw = createGatewayLogger({ name: 'gw', baseDir: base, log: { loglevel: { file: 'off', console: 'off' } } });
    gw.logger.error('something broke');
    await gw.close();
    expect(readdirSync(base)).toEqual([]);
  });

  it('writes JSON lines to <baseDir>/logs/<name>.log and rotates with log.maxSize (MB)', async () => {
    const base = tmp();
    const gw = createGatewayLogger({
      name: 'connector-x',
      baseDir: base,
      log: { loglevel: { file: 'info' }, maxSize: 0.002, maxFiles: 2 },
    });
    for (let i = 0; i < 100; i++) gw.logger.info({ i }, 'line %d', i);
    await gw.close();
    const files = readdirSync(join(base, 'logs')).sort();
    expect(files).toEqual(['connector-x.log', 'connector-x.log.1']);
    const last = readFileSync(join(base, 'logs', 'connector-x.log'), 'utf8')
      .trim()
      .split('\n')
      .at(-1)!;
    const rec = JSON.parse(last) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 'info', i: 99, msg: 'line 99', name: 'connector-x' });
    expect(typeof rec.time).toBe('string');
  });

  it('honours log.logDirectory', async () => {
    const base = tmp();
    const other = tmp();
    const gw = createGatewayLogger({
      name: 'gw',
      baseDir: base,
      log: { loglevel: { file: 'debug' }, logDirectory: join(other, 'd') },
    });
    gw.logger.debug('to the other place');
    await gw.close();
    expect(readFileSync(join(other, 'd', 'gw.log'), 'utf8')).toContain('to the other place');
    expect(existsSync(join(base, 'logs'))).toBe(false);
  });
});
