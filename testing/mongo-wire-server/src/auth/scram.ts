import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { commandError, type MongoCommandError } from '../errors.js';
import { hashOf, type ScramCredential, type ScramMechanism, type UserStore } from './users.js';

/** The one answer MongoDB gives to every authentication failure, so nothing leaks about why. */
export function authenticationFailed(): MongoCommandError {
  return commandError('AuthenticationFailed', 'Authentication failed.');
}

/** An authenticated principal. */
export interface Principal {
  readonly user: string;
  readonly db: string;
}

/** The reply to one SASL step. */
export interface SaslStep {
  readonly payload: Buffer;
  readonly done: boolean;
  /** Set once the client has proven its password. */
  readonly principal?: Principal;
}

/**
 * The server side of one SCRAM-SHA-1 / SCRAM-SHA-256 conversation (RFC 5802, RFC 7677), as MongoDB
 * runs it through `saslStart` and `saslContinue`.
 */
export class ScramConversation {
  readonly mechanism: ScramMechanism;
  readonly #db: string;
  readonly #skipEmptyExchange: boolean;
  #state: 'proof' | 'final' | 'done' = 'proof';
  #username = '';
  #gs2Header = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #credential: ScramCredential | undefined;

  private constructor(mechanism: ScramMechanism, db: string, skipEmptyExchange: boolean) {
    this.mechanism = mechanism;
    this.#db = db;
    this.#skipEmptyExchange = skipEmptyExchange;
  }

  /**
   * Reads the client-first message and answers with the server-first message.
   *
   * @throws MongoCommandError AuthenticationFailed for a malformed message or an unknown user.
   */
  static async start(
    users: UserStore,
    db: string,
    mechanism: ScramMechanism,
    payload: Buffer,
    skipEmptyExchange: boolean,
  ): Promise<{ conversation: ScramConversation; step: SaslStep }> {
    const conversation = new ScramConversation(mechanism, db, skipEmptyExchange);
    const step = await conversation.#first(users, payload.toString('utf8'));
    return { conversation, step };
  }

  async #first(users: UserStore, message: string): Promise<SaslStep> {
    // gs2-header: no channel binding ("n") or client supports but server does not ("y"); no authzid.
    const match = /^([ny]),,(.*)$/s.exec(message);
    if (!match) throw authenticationFailed();
    this.#gs2Header = `${match[1]},,`;
    this.#clientFirstBare = match[2]!;
    const attributes = parseAttributes(this.#clientFirstBare);
    const name = attributes.get('n');
    const nonce = attributes.get('r');
    if (name === undefined || nonce === undefined || nonce.length === 0 || attributes.has('m')) throw authenticationFailed();
    this.#username = decodeName(name);
    const credential = users.credential(this.#db, this.#username, this.mechanism);
    if (!credential) throw authenticationFailed();
    this.#credential = await credential;
    this.#nonce = nonce + randomBytes(24).toString('base64');
    this.#serverFirst = `r=${this.#nonce},s=${this.#credential.salt.toString('base64')},i=${this.#credential.iterations}`;
    return { payload: Buffer.from(this.#serverFirst), done: false };
  }

  /**
   * Verifies the client-final message (the proof) or acknowledges the final empty exchange.
   *
   * @throws MongoCommandError AuthenticationFailed when the proof is wrong.
   */
  continue(payload: Buffer): SaslStep {
    if (this.#state === 'final') {
      this.#state = 'done';
      return { payload: Buffer.alloc(0), done: true, principal: { user: this.#username, db: this.#db } };
    }
    if (this.#state !== 'proof' || !this.#credential) throw authenticationFailed();
    const message = payload.toString('utf8');
    const at = message.lastIndexOf(',p=');
    if (at < 0) throw authenticationFailed();
    const withoutProof = message.slice(0, at);
    const attributes = parseAttributes(withoutProof);
    if (attributes.get('c') !== Buffer.from(this.#gs2Header).toString('base64') || attributes.get('r') !== this.#nonce) {
      throw authenticationFailed();
    }
    const proof = Buffer.from(message.slice(at + 3), 'base64');
    const hash = hashOf(this.mechanism);
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const clientSignature = createHmac(hash, this.#credential.storedKey).update(authMessage).digest();
    if (proof.length !== clientSignature.length) throw authenticationFailed();
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const candidate = createHash(hash).update(clientKey).digest();
    if (!timingSafeEqual(candidate, this.#credential.storedKey)) throw authenticationFailed();
    const serverSignature = createHmac(hash, this.#credential.serverKey).update(authMessage).digest('base64');
    const final = Buffer.from(`v=${serverSignature}`);
    if (this.#skipEmptyExchange) {
      this.#state = 'done';
      return { payload: final, done: true, principal: { user: this.#username, db: this.#db } };
    }
    this.#state = 'final';
    return { payload: final, done: false };
  }
}

function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) throw authenticationFailed();
    const name = part[0]!;
    if (out.has(name)) throw authenticationFailed();
    out.set(name, part.slice(2));
  }
  return out;
}

// saslname: "=2C" stands for "," and "=3D" for "="; any other "=" is malformed.
function decodeName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) throw authenticationFailed();
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}
