/**
 * Secrets the older scimgateway product encrypted in its configuration files, read so they can be
 * encrypted again with scimgw's scheme.
 *
 * Its format, as its README and source describe it: AES-128-CBC with a random 16-byte IV; the key
 * is the last 16 characters of the configuration file's name followed by the seed (the `SEED`
 * environment variable, or else the machine id); the stored value is base64 of
 * `<iv as hex>:<ciphertext as hex>`. A value that does not decrypt was clear text to it.
 */
import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where the older seed came from, for the report. */
export type LegacySeedSource = 'SCIMGATEWAY_SEED' | 'SEED' | 'machine-id' | 'none';

/** The seed the older install used: `SCIMGATEWAY_SEED` (when the old and new seeds differ), `SEED`, or this machine's id. */
export function legacySeed(
  env: NodeJS.ProcessEnv,
  readMachineId: () => string | undefined = machineId,
): { seed: string | undefined; source: LegacySeedSource } {
  if (env.SCIMGATEWAY_SEED) return { seed: env.SCIMGATEWAY_SEED, source: 'SCIMGATEWAY_SEED' };
  if (env.SEED) return { seed: env.SEED, source: 'SEED' };
  const id = readMachineId();
  return id ? { seed: id, source: 'machine-id' } : { seed: undefined, source: 'none' };
}

/** This machine's id as the older product read it on Linux (the un-hashed D-Bus / systemd machine id). */
export function machineId(): string | undefined {
  for (const f of ['/var/lib/dbus/machine-id', '/etc/machine-id']) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The AES key for one configuration file: the last 16 characters of `<file name><seed>`. */
export function legacyKey(configFileName: string, seed: string): Buffer {
  return Buffer.from((configFileName + seed).slice(-16), 'utf8');
}

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SHAPE = /^([0-9a-f]{32}):((?:[0-9a-f]{32})+)$/;

/** True when `value` has the older encrypted shape (whatever the key). */
export function looksLegacyEncrypted(value: unknown): boolean {
  if (typeof value !== 'string' || value.length < 88 || !B64.test(value)) return false;
  return SHAPE.test(Buffer.from(value, 'base64').toString('latin1'));
}

/** The clear text of an older encrypted value, or `undefined` when the key does not open it. */
export function decryptLegacy(value: string, key: Buffer): string | undefined {
  const m = SHAPE.exec(Buffer.from(value, 'base64').toString('latin1'));
  if (!m || key.length !== 16) return undefined;
  try {
    const d = createDecipheriv('aes-128-cbc', key, Buffer.from(m[1] as string, 'hex'));
    const clear = Buffer.concat([d.update(Buffer.from(m[2] as string, 'hex')), d.final()]);
    // A wrong key passes the padding check now and then; its output is almost never valid UTF-8.
    return new TextDecoder('utf-8', { fatal: true }).decode(clear);
  } catch {
    return undefined;
  }
}
