import { isIP } from 'node:net';
import tls, { type ConnectionOptions } from 'node:tls';

/** Where the emulator listens and the CA it was signed with. */
export interface TrustTarget {
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
}

/**
 * Makes this process trust the emulator's test CA for connections to the emulator's host and
 * port, by wrapping `tls.connect`. This is the in-process patch point for `hyco-https` 1.4.5: it
 * opens its WebSockets with `ws` 6, which calls `tls.connect(options)` and offers no way to pass a
 * CA or an agent. Connections elsewhere, and ones that bring their own `ca`, are left alone. An IP
 * address is not sent as SNI (RFC 6066), which also silences Node's DEP0123 warning.
 *
 * In a child process, `NODE_EXTRA_CA_CERTS=<relay.caFile>` does the same without a patch.
 *
 * @returns a function that removes the patch.
 * @example
 * const untrust = trustEmulatorCa(relay);
 * try { ... } finally { untrust(); }
 */
export function trustEmulatorCa(target: TrustTarget): () => void {
  const original = tls.connect;
  const patched = function (this: unknown, ...args: unknown[]) {
    const options = args[0];
    if (typeof options === 'object' && options !== null && isForEmulator(options as ConnectionOptions, target)) {
      const given = options as ConnectionOptions;
      args[0] = { ...given, ca: [target.caPem], servername: given.servername && isIP(given.servername) ? '' : given.servername };
    }
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args);
  } as typeof tls.connect;
  tls.connect = patched;
  return () => {
    if (tls.connect === patched) tls.connect = original;
  };
}

function isForEmulator(options: ConnectionOptions, target: TrustTarget): boolean {
  return options.ca === undefined && String(options.port) === String(target.port) && options.host === target.host;
}
