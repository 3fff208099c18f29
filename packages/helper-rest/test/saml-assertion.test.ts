/**
 * The SAML assertions the gateway signs itself (auth/saml-assertion.ts), checked by xml-crypto, an
 * XML signature implementation of its own: the signature and digest verify with the certificate,
 * any change after signing breaks them, and for any text in any field (fast-check) the canonical
 * form written directly is the one a canonicalizer computes.
 */
import { DOMParser } from '@xmldom/xmldom';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { type SamlAssertionInput, signedSamlAssertion } from '../src/auth/saml-assertion.js';
import { makePki, type Pki } from './helpers.js';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.cleanup());

const input = (over: Partial<SamlAssertionInput> = {}): SamlAssertionInput => ({
  issuer: 'api-key-123',
  nameId: 'sfadmin',
  recipient: 'https://api.successfactors.example/oauth/token',
  audience: 'www.successfactors.com',
  lifetimeSeconds: 600,
  attributes: { api_key: 'api-key-123' },
  privateKeyPem: pki.clientKey,
  certificatePem: pki.clientCert,
  ...over,
});

/** Verifies with xml-crypto against `cert` only; returns the signed node's claims. */
function verify(xml: string, cert = pki.clientCert) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const assertion = doc.documentElement as unknown as Element;
  const signature = doc.getElementsByTagNameNS(DSIG, 'Signature')[0];
  if (!signature) return { valid: false as const };
  const sig = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
  sig.loadSignature(signature as unknown as Node);
  let valid = false;
  try {
    valid = sig.checkSignature(xml);
  } catch {
    valid = false;
  }
  const text = (name: string) => assertion.getElementsByTagNameNS(SAML, name)[0]?.textContent ?? undefined;
  return {
    valid,
    references: sig.getReferences().map((r) => r.uri),
    id: assertion.getAttribute('ID'),
    issuer: text('Issuer'),
    nameId: text('NameID'),
    audience: text('Audience'),
    apiKey: text('AttributeValue'),
    recipient: (assertion.getElementsByTagNameNS(SAML, 'SubjectConfirmationData')[0] as Element | undefined)?.getAttribute(
      'Recipient',
    ),
  };
}

describe('signed SAML assertions', () => {
  it('verify with the certificate, signing the assertion itself, with the claims given', () => {
    const xml = signedSamlAssertion(input());
    const v = verify(xml);
    expect(v.valid).toBe(true);
    expect(v.references).toEqual([`#${v.id}`]);
    expect(v).toMatchObject({
      issuer: 'api-key-123',
      nameId: 'sfadmin',
      audience: 'www.successfactors.com',
      apiKey: 'api-key-123',
      recipient: 'https://api.successfactors.example/oauth/token',
    });
    expect(xml).toContain('<ds:X509Certificate>');
    // The signature sits right after Issuer, as the SAML schema orders them.
    expect(xml.indexOf('</saml2:Issuer><ds:Signature')).toBeGreaterThan(0);
    expect(xml).toContain('Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"');
  });

  it('fail to verify with another key, or after any change', () => {
    const xml = signedSamlAssertion(input());
    expect(verify(xml, pki.otherCert).valid).toBe(false);
    for (const [from, to] of [
      ['>sfadmin<', '>someone-else<'],
      ['>www.successfactors.com<', '>evil.example<'],
      ['Version="2.0"', 'Version="2.1"'],
    ] as const) {
      expect(xml).toContain(from);
      expect(verify(xml.replace(from, to)).valid, to).toBe(false);
    }
    const signedBy = signedSamlAssertion(input({ privateKeyPem: pki.otherKey, certificatePem: pki.otherCert }));
    expect(verify(signedBy).valid).toBe(false);
    expect(verify(signedBy, pki.otherCert).valid).toBe(true);
  });

  it('property: any text in any field is canonicalized as a canonicalizer does it', () => {
    // XML 1.0 characters only; the builder refuses the others (next test).
    const specials = fc.string({
      unit: fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', 'a', 'é', '😀'),
      minLength: 1,
    });
    const xmlText = fc.oneof(specials, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 })).filter(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: filtering out what XML cannot carry
      (s) =>
        !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(s) &&
        !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')),
    );
    fc.assert(
      fc.property(xmlText, xmlText, xmlText, xmlText, (issuer, nameId, audience, key) => {
        const xml = signedSamlAssertion(
          input({ issuer, nameId, audience, recipient: `https://h/${key}`, attributes: { api_key: key } }),
        );
        const v = verify(xml);
        expect(v.valid).toBe(true);
        // XML normalizes a carriage return in text to a newline when it parses, unless escaped: it is.
        expect(v).toMatchObject({ issuer, nameId, audience, apiKey: key, recipient: `https://h/${key}` });
      }),
      { numRuns: 60 },
    );
  });

  it('refuses text XML cannot carry', () => {
    expect(() => signedSamlAssertion(input({ nameId: 'a\u0001b' }))).toThrow('userId contains characters XML cannot carry');
  });
});
