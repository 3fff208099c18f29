/**
 * A free TCP port for a server a test starts in another process (a gateway, slapd, nats-server).
 *
 * The usual way, binding port 0 and closing it, hands out a port from the kernel's ephemeral range
 * (32768–60999 on Linux), the range it also gives every other `listen(0)` and every outgoing
 * connection. Between the close and the child's own bind, anything else on the machine (another
 * test's emulator, an HTTP client's socket) can be given the same port, and the child fails with
 * EADDRINUSE. The ports here come from below that range, where the kernel hands out nothing: only
 * a process that names the port can take it, and each is checked free before it is returned.
 */
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/** Where the search starts and ends (ports the kernel never hands out on its own). */
export const PORT_RANGE: readonly [number, number] = portRange();

function portRange(): [number, number] {
  let ephemeralLow = 32768;
  try {
    // Linux: "32768	60999"; elsewhere (macOS: 49152 and up) the default holds.
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 12_000) ephemeralLow = low;
  } catch {}
  return [10_000, ephemeralLow - 1];
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Ports handed out by this process, not handed out again. */
const given = new Set<number>();

/** Whether this machine has an IPv6 loopback (a port is then checked there too). */
let ipv6: Promise<boolean> | undefined;
const hasIpv6 = () => (ipv6 ??= canBind(0, '::1'));

/**
 * A port below the kernel's ephemeral range that is free on 127.0.0.1 (and on `::1` where the
 * machine has IPv6, as servers that listen on every address need both). Random, so two test
 * processes rarely try the same one; never the same one twice from one process.
 */
export async function freePort(): Promise<number> {
  const [low, high] = PORT_RANGE;
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (given.has(port)) continue;
    if (!(await canBind(port))) continue;
    if ((await hasIpv6()) && !(await canBind(port, '::1'))) continue;
    given.add(port);
    return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}
