import { describe, expect, it } from 'vitest';
import { PROBE_PATHS, probe } from '../src/probes.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'];

describe('probes', () => {
  it('answer GET and HEAD, and refuse every other method on every probe path with 405 and Allow', () => {
    for (const path of PROBE_PATHS) {
      for (const method of METHODS) {
        const p = probe(path, true, undefined, method);
        if (method === 'GET' || method === 'HEAD') {
          expect(p.status, `${method} ${path}`).toBe(200);
        } else {
          expect(p.status, `${method} ${path}`).toBe(405);
          expect(p.headers?.allow).toBe('GET, HEAD');
          expect(JSON.parse(p.body).status).toBe('405');
        }
      }
    }
  });

  it('say not ready with 503 on /readyz only', () => {
    expect(probe('/readyz', false).status).toBe(503);
    expect(probe('/healthz', false).status).toBe(200);
  });
});
