import { afterAll, beforeAll, describe, it } from 'vitest';
import { startGateway, type TestGateway } from './helpers.js';
import { httpCases } from './http-suite.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startGateway({ mcp: { enabled: true } });
});
afterAll(() => t.stop());

describe('HTTP suite in-process (Node)', () => {
  for (const c of httpCases) it(c.name, () => c.run(t));
});
