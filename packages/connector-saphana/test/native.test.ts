import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hanaCode, nativeHanaClient, toScimError } from '../src/index.js';

describe('the @sap/hana-client adapter (the real native driver, no server)', () => {
  it('loads the native driver and reports a refused connection as HANA error -10709, which maps to 503', async () => {
    // A port nobody listens on: the driver's own connect fails, through the adapter's promise.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const client = await nativeHanaClient({
      serverNode: `127.0.0.1:${port}`,
      uid: 'SCIM_ADMIN',
      pwd: 'pw-native-secret',
      encrypt: false,
      sslValidateCertificate: true,
    });
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(hanaCode(error)).toBe(-10709);
    expect(String((error as Error).message)).not.toContain('pw-native-secret');
    expect((toScimError(error, 'user') as { status?: number }).status).toBe(503);
  }, 30_000);
});
