/**
 * Keyed pseudonyms for recorded traffic. Every run of letters and digits in a value is replaced by
 * one of the same length under a key that lives only in this process: the same word always gets
 * the same pseudonym within one recording (so `Alice`, `alice@contoso.com` and a filter on
 * `ALICE@CONTOSO.COM` still match one another, case-insensitively as SCIM compares), and nobody
 * without the key can compute the word back (a very short one may still be guessed from its
 * context). Letters stay letters with their case, digits stay digits, and everything else (`@`,
 * `.`, `-`, spaces, quotes) stays where it was: what a quirk depends on (the shape of a value)
 * survives.
 *
 * Two different words never get the same pseudonym where that could matter: a word of up to ten
 * ASCII letters and digits is enciphered by a keyed permutation of all words of its shape (a
 * Feistel network over the word's number, walking the cycle back into the domain; its rounds are
 * AES under the key, a quarter of an HMAC's cost), so `user.4` and `user.6`, or `a.lee` and `b.lee`,
 * stay two users. Longer words and words with other letters take an HMAC of themselves: a collision
 * between two of them is as likely as guessing 11 random letters. Pseudonyms already given are
 * kept (two generations of up to {@link GENERATION} words each): a group's members are ids, read
 * again and again.
 */
import { type Cipher, createCipheriv, createHmac, randomBytes } from 'node:crypto';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const WORD = /[\p{L}\p{N}]+/gu;
const UPPER = /\p{Lu}/u;
const DIGIT = /\p{N}/u;
/** Longest ASCII word enciphered by the permutation (26^10 < 2^53, so its number is exact). */
const MAX_PERMUTED = 10;
const ROUNDS = 8;
/** Words kept per generation of the cache. */
const GENERATION = 100_000;

export class Pseudonyms {
  private readonly key: Buffer;
  /** AES-256 in ECB mode: each 16-byte block enciphered on its own, the Feistel rounds' function. */
  private readonly aes: Cipher;
  private readonly block = Buffer.alloc(16);
  private cache = new Map<string, string>();
  private older = new Map<string, string>();

  /** `key`: for tests only; a recording's key is random and never written anywhere. */
  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
    this.aes = createCipheriv('aes-256-ecb', key, null);
    this.aes.setAutoPadding(false);
  }

  /** The pseudonym of one word (a run of letters and digits), in the word's case pattern. */
  word(word: string): string {
    const lower = word.toLowerCase();
    let base = this.cache.get(lower) ?? this.older.get(lower);
    if (base === undefined)
      base = lower.length <= MAX_PERMUTED && /^[a-z0-9]+$/.test(lower) ? this.permuted(lower) : this.hashed(lower);
    if (this.cache.size >= GENERATION) {
      this.older = this.cache;
      this.cache = new Map();
    }
    this.cache.set(lower, base);
    let out = '';
    let i = 0;
    for (const ch of word) {
      const b = base[i++ % base.length] as string;
      out += UPPER.test(ch) ? b.toUpperCase() : b;
    }
    return out;
  }

  /** `text` with every word replaced by its pseudonym. */
  text(text: string): string {
    return text.replace(WORD, (w) => this.word(w));
  }

  /** An ASCII word enciphered within the words of its shape (letter or digit at each place). */
  private permuted(word: string): string {
    const radix = [...word].map((c) => (c >= '0' && c <= '9' ? 10 : 26));
    let n = 0;
    let size = 1;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      n = n * (radix[i] as number) + (c <= 57 ? c - 48 : c - 97);
      size *= radix[i] as number;
    }
    // The shape as a number: a leading 1, then a bit per place (1 for a digit).
    let shape = 1;
    for (const r of radix) shape = shape * 2 + (r === 10 ? 1 : 0);
    const a = Math.ceil(Math.sqrt(size));
    const b = Math.ceil(size / a);
    // A permutation of [0, a·b) ⊇ [0, size): applied again until the number is back in the domain.
    do n = this.feistel(n, a, b, shape);
    while (n >= size);
    let out = '';
    for (let i = word.length - 1; i >= 0; i--) {
      const r = radix[i] as number;
      const d = n % r;
      n = Math.floor(n / r);
      out = (r === 10 ? String(d) : LETTERS[d]) + out;
    }
    return out;
  }

  /** Black and Rogaway's generalized Feistel network on [0, a·b). */
  private feistel(m: number, a: number, b: number, shape: number): number {
    let l = m % a;
    let r = Math.floor(m / a);
    for (let j = 1; j <= ROUNDS; j++) {
      const f = this.round(shape, j, r);
      const t = (l + f) % (j % 2 === 1 ? a : b);
      l = r;
      r = t;
    }
    return ROUNDS % 2 === 1 ? a * l + r : a * r + l;
  }

  /** Round `j`'s function of `r` for words of `shape`: 48 bits of AES(key, shape ‖ j ‖ r). */
  private round(shape: number, j: number, r: number): number {
    const b = this.block;
    b.writeUInt32BE(shape, 0);
    b.writeUInt8(j, 4);
    b.writeUIntBE(r, 5, 6);
    return this.aes.update(b).readUIntBE(0, 6);
  }

  /** A word of other letters (or a long one): letters and digits drawn from its HMAC. */
  private hashed(lower: string): string {
    const chars = [...lower];
    let bytes = Buffer.alloc(0);
    for (let block = 0; bytes.length < chars.length; block++) {
      bytes = Buffer.concat([bytes, createHmac('sha256', this.key).update(`${block}\u0000${lower}`).digest()]);
    }
    return chars
      .map((ch, i) => (DIGIT.test(ch) ? String((bytes[i] as number) % 10) : LETTERS[(bytes[i] as number) % 26]))
      .join('');
  }
}
