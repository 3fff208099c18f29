/**
 * A TCP proxy in front of slapd that gives it Active Directory's range retrieval, on the LDAP wire
 * (BER), for the connector's real client. Written from Microsoft's description of the behaviour
 * ("Attribute Range Retrieval", "Enumerating Groups That Contain Many Members"):
 *
 * - A search result attribute with more values than `MaxValRange` (AD: 1,500; 1,000 on Windows
 *   2000) comes back as `attr;range=0-<max-1>` holding the first values, and without `attr`.
 * - A search that names `attr;range=<low>-<high>` (high a number or `*`) gets
 *   `attr;range=<low>-<last>`: the values from `low` to `high`, at most `MaxValRange` of them;
 *   `last` is `*` when the answer holds the attribute's last value, else the last index sent.
 * - A range that starts past the last value fails the search ("if you set the range retrieval to
 *   a value that is higher than the number of values in the set, the search fails"): here with
 *   operationsError (1), the entry not sent.
 *
 * Everything else passes through byte for byte. slapd returns values in the order it stores
 * them, so ranges are stable while the attribute does not change, as on AD.
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

/** A running proxy. */
export interface RangeProxy {
  port: number;
  url: string;
  /** Searches that named a ranged attribute. */
  rangedSearches: number;
  /** Answers cut to a range. */
  rangedAnswers: number;
  stop(): Promise<void>;
}

/** One BER element: its tag and where its content lies in `buf`. */
interface Tlv {
  /** Offset of the tag. */
  at: number;
  tag: number;
  start: number;
  end: number;
  /** Offset just past the element. */
  next: number;
}

/** Reads the element at `off`; `undefined` while `buf` does not hold all of it yet. */
export function readTlv(buf: Buffer, off: number): Tlv | undefined {
  if (off + 2 > buf.length) return undefined;
  const tag = buf[off] as number;
  let len = buf[off + 1] as number;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error(`unsupported BER length form 0x${len.toString(16)}`);
    if (start + n > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  if (start + len > buf.length) return undefined;
  return { at: off, tag, start, end: start + len, next: start + len };
}

/** The elements inside a constructed element's content. */
function children(buf: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let off = t.start; off < t.end; ) {
    const c = readTlv(buf, off);
    if (!c || c.end > t.end) throw new Error('truncated BER element');
    out.push(c);
    off = c.next;
  }
  return out;
}

/** Encodes one element with a minimal definite length. */
export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let head: Buffer;
  if (n < 0x80) head = Buffer.from([tag, n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, content]);
}

const octets = (s: string) => tlv(0x04, Buffer.from(s, 'utf8'));
const slice = (buf: Buffer, t: Tlv) => buf.subarray(t.start, t.end);
const whole = (buf: Buffer, t: Tlv) => buf.subarray(t.at, t.next);

const RANGE = /^(.+?);range=(\d+)-(\d+|\*)$/i;

/** What a search asked for by range: attribute (lower case) → low and high (`undefined` for `*`). */
type Asked = Map<string, { low: number; high: number | undefined }>;

/**
 * Starts the proxy on a free loopback port, forwarding to `upstreamPort`.
 *
 * @example
 * const proxy = await startRangeProxy({ upstreamPort: slapd.port, maxValRange: 1500 });
 */
export async function startRangeProxy(opts: { upstreamPort: number; maxValRange: number }): Promise<RangeProxy> {
  const max = opts.maxValRange;
  const sockets = new Set<Socket>();
  const state = { rangedSearches: 0, rangedAnswers: 0 };

  const handle = (client: Socket) => {
    const upstream = connect(opts.upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const asked = new Map<number, Asked>();
    const failed = new Set<number>();
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);

    frames(client, (buf) => {
      upstream.write(rewriteRequest(buf, asked, state));
    });
    frames(upstream, (buf) => {
      const out = rewriteResponse(buf, asked, failed, max, state);
      if (out) client.write(out);
    });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `ldap://127.0.0.1:${port}`,
    get rangedSearches() {
      return state.rangedSearches;
    },
    get rangedAnswers() {
      return state.rangedAnswers;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Calls `each` with every whole LDAPMessage a socket delivers. */
function frames(socket: Socket, each: (msg: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    for (;;) {
      const t = readTlv(pending, off);
      if (!t) break;
      each(Buffer.from(whole(pending, t)));
      off = t.next;
    }
    pending = pending.subarray(off);
  });
}

/** The message id of an LDAPMessage (a small non-negative INTEGER). */
function messageId(buf: Buffer, parts: Tlv[]): number {
  const id = parts[0] as Tlv;
  let v = 0;
  for (let i = id.start; i < id.end; i++) v = v * 256 + (buf[i] as number);
  return v;
}

/** A SearchRequest naming `attr;range=l-h` goes to slapd naming `attr`; the range is remembered. */
export function rewriteRequest(buf: Buffer, asked: Map<number, Asked>, state: { rangedSearches: number }): Buffer {
  const msg = readTlv(buf, 0) as Tlv;
  const parts = children(buf, msg);
  const op = parts[1];
  if (op?.tag !== 0x63) return buf;
  const fields = children(buf, op);
  const attrs = fields[7];
  if (!attrs) return buf;
  const names = children(buf, attrs).map((a) => slice(buf, a).toString('utf8'));
  const ranges: Asked = new Map();
  const plain = names.map((n) => {
    const m = RANGE.exec(n);
    if (!m) return n;
    ranges.set((m[1] as string).toLowerCase(), { low: Number(m[2]), high: m[3] === '*' ? undefined : Number(m[3]) });
    return m[1] as string;
  });
  const id = messageId(buf, parts);
  asked.delete(id);
  if (!ranges.size) return buf;
  state.rangedSearches++;
  asked.set(id, ranges);
  const newAttrs = tlv(0x30, Buffer.concat(plain.map(octets)));
  const newOp = tlv(0x63, Buffer.concat([...fields.slice(0, 7).map((f) => whole(buf, f)), newAttrs]));
  const rest = parts.slice(2).map((p) => whole(buf, p));
  const first = parts[0] as Tlv;
  return tlv(0x30, Buffer.concat([whole(buf, first), newOp, ...rest]));
}

/**
 * A SearchResultEntry's attributes cut to ranges; a SearchResultDone after a refused range turned
 * into operationsError. `undefined` drops the message (an entry whose search failed).
 */
export function rewriteResponse(
  buf: Buffer,
  asked: Map<number, Asked>,
  failed: Set<number>,
  max: number,
  state: { rangedAnswers: number },
): Buffer | undefined {
  const msg = readTlv(buf, 0) as Tlv;
  const parts = children(buf, msg);
  const op = parts[1];
  if (!op) return buf;
  const id = messageId(buf, parts);
  if (op.tag === 0x65) {
    asked.delete(id);
    if (!failed.delete(id)) return buf;
    const result = tlv(
      0x65,
      Buffer.concat([tlv(0x0a, Buffer.from([1])), octets(''), octets('range retrieval: the range starts past the last value')]),
    );
    const first = parts[0] as Tlv;
    return tlv(0x30, Buffer.concat([whole(buf, first), result]));
  }
  if (op.tag !== 0x64) return buf;
  if (failed.has(id)) return undefined;
  const [name, list] = children(buf, op) as [Tlv, Tlv];
  const ranges = asked.get(id);
  let changed = false;
  const out: Buffer[] = [];
  for (const pa of children(buf, list)) {
    const [type, vals] = children(buf, pa) as [Tlv, Tlv];
    const attr = slice(buf, type).toString('utf8');
    const values = children(buf, vals).map((v) => whole(buf, v));
    const want = ranges?.get(attr.toLowerCase());
    if (!want && values.length <= max) {
      out.push(whole(buf, pa));
      continue;
    }
    changed = true;
    state.rangedAnswers++;
    const low = want?.low ?? 0;
    if (values.length > 0 && low >= values.length) {
      failed.add(id);
      return undefined;
    }
    const last = Math.min(values.length - 1, low + max - 1, want?.high ?? Number.POSITIVE_INFINITY);
    const label = `${attr};range=${low}-${last === values.length - 1 ? '*' : last}`;
    out.push(tlv(0x30, Buffer.concat([octets(label), tlv(0x31, Buffer.concat(values.slice(low, last + 1)))])));
  }
  if (!changed) return buf;
  const entry = tlv(0x64, Buffer.concat([whole(buf, name), tlv(0x30, Buffer.concat(out))]));
  const first = parts[0] as Tlv;
  const rest = parts.slice(2).map((p) => whole(buf, p));
  return tlv(0x30, Buffer.concat([whole(buf, first), entry, ...rest]));
}
