/**
 * The login sequence ([MS-TDS] 2.2.6.5 PRELOGIN, 2.2.6.4 LOGIN7, 2.2.7.11 FEATUREEXTACK): option
 * tables of PRELOGIN, the fixed part and offset/length table of LOGIN7, the password
 * obfuscation, and the FeatureExt block that carries an Entra ID (FEDAUTH) access token.
 */
import { Reader, Writer } from './wire.js';

/** PRELOGIN option tokens. */
const PL = { VERSION: 0, ENCRYPTION: 1, INSTOPT: 2, THREADID: 3, MARS: 4, TRACEID: 5, FEDAUTHREQUIRED: 6, TERMINATOR: 0xff };

/** ENCRYPTION values. */
export const Encryption = { Off: 0, On: 1, NotSupported: 2, Required: 3 } as const;

/** What a client's PRELOGIN said. */
export interface PreLogin {
  encryption: number;
  fedAuthRequired: boolean;
  version?: Buffer | undefined;
}

/** Reads a PRELOGIN message. */
export function parsePreLogin(payload: Buffer): PreLogin {
  const r = new Reader(payload);
  const out: PreLogin = { encryption: Encryption.NotSupported, fedAuthRequired: false };
  for (;;) {
    const token = r.u8();
    if (token === PL.TERMINATOR) break;
    const offset = r.u16be();
    const length = r.u16be();
    if (offset + length > payload.length) throw new RangeError('PRELOGIN option outside the message');
    const data = payload.subarray(offset, offset + length);
    if (token === PL.ENCRYPTION && length >= 1) out.encryption = data[0] as number;
    if (token === PL.FEDAUTHREQUIRED && length >= 1) out.fedAuthRequired = data[0] === 1;
    if (token === PL.VERSION) out.version = data;
  }
  return out;
}

/** Writes the server's PRELOGIN answer. */
export function preLoginResponse(encryption: number, fedAuth: boolean): Buffer {
  const options: [number, Buffer][] = [
    // SQL Server 2019 (15.0.2000): the product version tedious reports.
    [PL.VERSION, Buffer.from([15, 0, 0x07, 0xd0, 0, 0])],
    [PL.ENCRYPTION, Buffer.from([encryption])],
    [PL.INSTOPT, Buffer.from([0])],
    [PL.THREADID, Buffer.alloc(0)],
    [PL.MARS, Buffer.from([0])],
  ];
  if (fedAuth) options.push([PL.FEDAUTHREQUIRED, Buffer.from([1])]);
  const table = new Writer();
  let offset = options.length * 5 + 1;
  for (const [token, data] of options) {
    table.u8(token).u16be(offset).u16be(data.length);
    offset += data.length;
  }
  table.u8(PL.TERMINATOR);
  for (const [, data] of options) table.raw(data);
  return table.build();
}

/** What a LOGIN7 carried. */
export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  hostName: string;
  userName: string;
  password: string;
  appName: string;
  serverName: string;
  database: string;
  /** Integrated (SSPI/NTLM) security was asked for. */
  integratedSecurity: boolean;
  sspi: Buffer;
  /** The FEDAUTH feature's security token (UTF-16 text), when sent. */
  fedAuthToken?: string | undefined;
  /** The FEDAUTH feature's echo bit. */
  fedAuthEcho?: boolean | undefined;
  /** Feature ids of the FeatureExt block. */
  features: number[];
}

/** Undoes the LOGIN7 password obfuscation: XOR 0xA5, then swap the nibbles of every byte. */
export function deobfuscatePassword(bytes: Buffer): string {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const x = (bytes[i] as number) ^ 0xa5;
    out[i] = ((x & 0x0f) << 4) | (x >> 4);
  }
  return out.toString('utf16le');
}

/** The obfuscation itself (for the emulator's tests). */
export function obfuscatePassword(password: string): Buffer {
  const b = Buffer.from(password, 'utf16le');
  for (let i = 0; i < b.length; i++) {
    const x = b[i] as number;
    b[i] = (((x & 0x0f) << 4) | (x >> 4)) ^ 0xa5;
  }
  return b;
}

const FEATURE = { FEDAUTH: 0x02, TERMINATOR: 0xff };

/** Reads a LOGIN7 message. */
export function parseLogin7(payload: Buffer): Login7 {
  const r = new Reader(payload);
  const length = r.u32();
  if (length > payload.length) throw new RangeError('LOGIN7 length exceeds the message');
  const tdsVersion = r.buf.readUInt32LE(4);
  r.pos = 8;
  const packetSize = r.u32();
  r.pos = 24;
  r.u8(); // OptionFlags1
  const flags2 = r.u8();
  r.u8(); // TypeFlags
  const flags3 = r.u8();
  r.pos = 36;
  const field = () => ({ offset: r.u16(), length: r.u16() });
  const host = field();
  const user = field();
  const pass = field();
  const app = field();
  const server = field();
  const ext = field();
  r.pos += 4; // CltIntName
  r.pos += 4; // Language
  const db = field();
  r.pos += 6; // ClientID
  const sspi = field();
  const text = (f: { offset: number; length: number }) => {
    if (f.offset + f.length * 2 > payload.length) throw new RangeError('LOGIN7 field outside the message');
    return payload.subarray(f.offset, f.offset + f.length * 2).toString('utf16le');
  };
  const login: Login7 = {
    tdsVersion,
    packetSize,
    hostName: text(host),
    userName: text(user),
    password: deobfuscatePassword(payload.subarray(pass.offset, pass.offset + pass.length * 2)),
    appName: text(app),
    serverName: text(server),
    database: text(db),
    integratedSecurity: (flags2 & 0x80) !== 0,
    sspi: payload.subarray(sspi.offset, sspi.offset + sspi.length),
    features: [],
  };
  // fExtension (OptionFlags3 bit 4): ibExtension points at a DWORD holding the FeatureExt offset.
  if (flags3 & 0x10 && ext.length >= 4) {
    const at = payload.readUInt32LE(ext.offset);
    const f = new Reader(payload, at);
    for (;;) {
      const id = f.u8();
      if (id === FEATURE.TERMINATOR) break;
      const data = new Reader(f.bytes(f.u32()));
      login.features.push(id);
      if (id === FEATURE.FEDAUTH) {
        const options = data.u8();
        login.fedAuthEcho = (options & 1) === 1;
        // Library 0x01 (SECURITYTOKEN): a DWORD length, then the token as UTF-16LE.
        if (options >> 1 === 0x01) login.fedAuthToken = data.bytes(data.u32()).toString('utf16le');
      }
    }
  }
  return login;
}

/** FEATUREEXTACK acknowledging FEDAUTH (no nonce was sent, so no data). */
export function fedAuthAck(): Buffer {
  return new Writer().u8(0xae).u8(FEATURE.FEDAUTH).u32(0).u8(FEATURE.TERMINATOR).build();
}
