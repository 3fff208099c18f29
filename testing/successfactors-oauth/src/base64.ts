/** The outcome of decoding the `assertion` parameter. */
export type DecodedAssertion = { readonly ok: true; readonly xml: string } | { readonly ok: false; readonly reason: string };

const STANDARD = /^[A-Za-z0-9+/]*$/;
const URL_SAFE = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes the `assertion` form parameter. RFC 7522 §2.1 says base64url (RFC 4648 §5); clients of
 * SuccessFactors commonly send standard base64 (§4), so both alphabets are taken, each with or
 * without `=` padding, and line breaks (a MIME-style encoder's CR LF) are ignored. A mix of the two
 * alphabets, a space (the mark of a `+` that was not percent-encoded in the form body), a length no
 * base64 text can have, or bytes that are not UTF-8 are refused.
 */
export function decodeAssertion(value: string): DecodedAssertion {
  const text = value.replace(/\r?\n/g, '');
  if (text === '') return { ok: false, reason: 'Missing SAML assertion' };
  if (text.includes(' ')) {
    return { ok: false, reason: "Invalid SAML assertion: not base64 (a space; was a '+' left unencoded in the form body?)" };
  }
  const unpadded = text.replace(/={1,2}$/, '');
  if (unpadded.length !== text.length && text.length % 4 !== 0) {
    return { ok: false, reason: 'Invalid SAML assertion: not base64 (bad padding)' };
  }
  if (!STANDARD.test(unpadded) && !URL_SAFE.test(unpadded)) {
    return { ok: false, reason: 'Invalid SAML assertion: not base64' };
  }
  if (unpadded.length % 4 === 1) return { ok: false, reason: 'Invalid SAML assertion: not base64 (bad length)' };
  const bytes = Buffer.from(unpadded, 'base64');
  try {
    return { ok: true, xml: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'Invalid SAML assertion: not UTF-8 text' };
  }
}
