/** The service around the tools: rate limit, the audit line of each call, secrets kept out of logs. */
import { describe, expect, it } from 'vitest';
import { mcpSection } from '../src/config.js';
import { CallLimiter } from '../src/rate-limit.js';
import { REDACTED, redactArguments } from '../src/redact.js';
import { ACME, customRegistry, structured, testHost } from './host.js';

describe('rate limit', () => {
  it('refuses the call past maxCalls per principal in a window, with the time to wait, and lets it through after', async () => {
    let now = 1_000_000;
    const h = await testHost({ config: { rateLimit: { maxCalls: 3, windowSeconds: 10 } }, service: { now: () => now } });
    for (let i = 0; i < 3; i++) expect((await h.service.callTool(h.session, 'search_users', { count: 0 })).isError).toBeFalsy();
    const before = h.requests.length;
    const r = await h.service.callTool(h.session, 'search_users', { count: 0 });
    expect(r.isError).toBe(true);
    expect(structured(r)).toMatchObject({ status: 429, retryAfterSeconds: 10 });
    expect(structured(r).error).toMatch(/at most 3 tool calls in 10 s/);
    expect(h.requests.length).toBe(before);
    // Another principal has its own budget.
    const other = { ...h.session, principal: 'someone-else' };
    expect((await h.service.callTool(other, 'search_users', { count: 0 })).isError).toBeFalsy();
    now += 10_000;
    expect((await h.service.callTool(h.session, 'search_users', { count: 0 })).isError).toBeFalsy();
  });

  it('CallLimiter forgets the oldest key past maxTracked', () => {
    const l = new CallLimiter({ maxCalls: 1, windowSeconds: 60, maxTracked: 2 }, () => 0);
    expect(l.take('a')).toEqual({ allowed: true });
    expect(l.take('a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    l.take('b');
    l.take('c');
    expect(l.size).toBe(2);
    expect(l.take('a')).toEqual({ allowed: true });
  });

  it('rateLimit false turns it off', async () => {
    const h = await testHost({ config: { rateLimit: false } });
    for (let i = 0; i < 70; i++) expect((await h.service.callTool(h.session, 'search_users', { count: 0 })).isError).toBeFalsy();
  });
});

describe('audit log', () => {
  it('logs one line per tool call with principal, tool, outcome and dryRun; arguments only at debug, redacted', async () => {
    const h = await testHost({ registry: customRegistry(), principal: 'agent-7' });
    await h.service.callTool(h.session, 'create_user', {
      user: { userName: 'audited', password: 'Pa55-word-xyz', [ACME]: { pin: '77889' } },
    });
    await h.service.callTool(h.session, 'update_user', {
      id: 'bjensen',
      operations: [{ op: 'replace', path: 'password', value: 'An0ther-secret' }],
      dryRun: true,
    });
    const calls = h.lines.filter((l) => l.msg === 'mcp tool call');
    expect(calls.map((l) => l.level)).toEqual(['info', 'info']);
    expect(calls[0]?.data).toMatchObject({
      tool: 'create_user',
      principal: 'agent-7',
      outcome: 'ok',
      dryRun: false,
      transport: 'stdio',
    });
    expect(calls[1]?.data).toMatchObject({ tool: 'update_user', principal: 'agent-7', outcome: 'ok', dryRun: true });
    const args = h.lines.filter((l) => l.msg === 'mcp tool arguments');
    expect(args.map((l) => l.level)).toEqual(['debug', 'debug']);
    const all = JSON.stringify(h.lines);
    for (const secret of ['Pa55-word-xyz', '77889', 'An0ther-secret']) expect(all).not.toContain(secret);
    expect(all).toContain('audited');
  });

  it('a failing host gives an error result with a request id, and an error line', async () => {
    const h = await testHost();
    await h.service.toolSet(h.session);
    const broken = { ...h.session, call: async () => Promise.reject(new Error('backend exploded')) };
    const r = await h.service.callTool(broken, 'search_users', {});
    expect(r.isError).toBe(true);
    expect(structured(r).error).toMatch(/could not run search_users \(request [0-9a-f-]{36}\)/);
    expect(JSON.stringify(r)).not.toContain('exploded');
    expect(h.lines.find((l) => l.level === 'error')?.data).toMatchObject({ tool: 'search_users', err: 'backend exploded' });
  });
});

describe('redactArguments', () => {
  it('redacts write-only attributes, secret-looking keys and PATCH values aimed at them', () => {
    const hidden = new Set(['password', `${ACME.toLowerCase()}:pin`]);
    const out = redactArguments(
      {
        user: { userName: 'u', password: 'p1', [ACME]: { pin: 'p2', badgeNumber: 1 }, apiKey: 'p3' },
        operations: [
          { op: 'replace', path: 'password', value: 'p4' },
          { op: 'replace', path: `${ACME}:pin`, value: 'p5' },
          { op: 'replace', path: 'title', value: 'visible' },
        ],
      },
      hidden,
    );
    expect(JSON.stringify(out)).not.toMatch(/"p[1-5]"/);
    expect(JSON.stringify(out)).toContain('visible');
    expect((out as { user: { password: string } }).user.password).toBe(REDACTED);
  });
});

describe('the mcp configuration section', () => {
  it('applies defaults, and names unknown keys with a suggestion', () => {
    const ok = mcpSection.validate({});
    expect(ok).toEqual({
      ok: true,
      value: {
        enabled: false,
        destructiveTools: false,
        pageSize: 25,
        rateLimit: { maxCalls: 60, windowSeconds: 60 },
        allowedOrigins: [],
      },
    });
    const bad = mcpSection.validate({ destructiveTool: true, rateLimit: { maxCalls: 0 } });
    expect(bad.ok).toBe(false);
    const messages = bad.ok ? [] : bad.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^destructiveTool: unknown key \(did you mean "destructiveTools"\?\)/),
        'rateLimit.maxCalls: must be at least 1, got number 0',
      ]),
    );
    expect(mcpSection.validate({ rateLimit: false })).toMatchObject({ ok: true, value: { rateLimit: false } });
  });
});
