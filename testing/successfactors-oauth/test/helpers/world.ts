/** An emulator with two companies, a client in each, users, and a stranger's key pair. */
import {
  type SuccessFactorsOAuthEmulator,
  type SuccessFactorsOAuthEmulatorOptions,
  startSuccessFactorsOAuthEmulator,
} from '../../src/index.js';
import { type AssertionClaims, encode, type SignOptions, signedAssertion } from './assertion.js';
import { type JsonAnswer, requestToken } from './http.js';
import { type KeyPair, openSslKeyPair } from './keys.js';

export interface World {
  readonly emulator: SuccessFactorsOAuthEmulator;
  readonly companyId: string;
  readonly apiKey: string;
  readonly keys: KeyPair;
  readonly otherCompanyId: string;
  readonly otherApiKey: string;
  readonly otherKeys: KeyPair;
  /** A key pair registered nowhere. */
  readonly strangerKeys: KeyPair;
  /** Claims that are accepted, with overrides. */
  claims(overrides?: Partial<AssertionClaims>): AssertionClaims;
  /** A signed, base64-encoded assertion of the company's client, with overrides. */
  assertion(overrides?: Partial<AssertionClaims>, sign?: SignOptions): string;
  /** Requests a token for the company's client. */
  request(assertion: string, extra?: Record<string, string>): Promise<JsonAnswer>;
}

let pairs: KeyPair[] | undefined;

/** Three key pairs made once per test file. */
function keyPairs(): KeyPair[] {
  pairs ??= [openSslKeyPair('acme-client'), openSslKeyPair('globex-client'), openSslKeyPair('stranger')];
  return pairs;
}

export async function startWorld(options: SuccessFactorsOAuthEmulatorOptions = {}): Promise<World> {
  const [keys, otherKeys, strangerKeys] = keyPairs() as [KeyPair, KeyPair, KeyPair];
  const emulator = await startSuccessFactorsOAuthEmulator(options);
  const companyId = 'ACME';
  const otherCompanyId = 'GLOBEX';
  emulator.addCompany(companyId);
  emulator.addCompany(otherCompanyId);
  const apiKey = emulator.registerClient({ companyId, certificatePem: keys.certificatePem });
  const otherApiKey = emulator.registerClient({ companyId: otherCompanyId, certificatePem: otherKeys.certificatePem });
  emulator.addUser(companyId, 'alice');
  emulator.addUser(companyId, 'bob');
  emulator.addUser(otherCompanyId, 'carol');
  const claims = (overrides: Partial<AssertionClaims> = {}): AssertionClaims => ({
    apiKey,
    userId: 'alice',
    recipient: emulator.tokenUrl,
    ...(options.now ? { now: options.now() } : {}),
    ...overrides,
  });
  return {
    emulator,
    companyId,
    apiKey,
    keys,
    otherCompanyId,
    otherApiKey,
    otherKeys,
    strangerKeys,
    claims,
    assertion: (overrides, sign) => encode(signedAssertion(claims(overrides), keys, sign)),
    request: (assertion, extra) =>
      requestToken(emulator.tokenUrl, { clientId: apiKey, companyId, assertion, ...(extra ? { extra } : {}) }),
  };
}
