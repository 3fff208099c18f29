/**
 * A SAML 2.0 assertion builder written for these tests from SAP's "Generating a SAML Assertion"
 * (SuccessFactors OData API developer guide) and SAML Core: the assertion a client of SuccessFactors
 * signs with its OAuth client certificate's key. It is signed with xml-crypto's SignedXml (an
 * enveloped signature right after Issuer, referring to the Assertion by its ID, exclusive C14N,
 * RSA-SHA256, SHA-256). Every part can be bent to make wrong assertions.
 */
import { randomBytes } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import type { KeyPair } from './keys.js';

export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const RSA_SHA1 = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
export const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
export const SHA1 = 'http://www.w3.org/2000/09/xmldsig#sha1';

/** What goes into an assertion; `null` leaves a part out. */
export interface AssertionClaims {
  /** The `api_key` attribute: the client's API key. */
  readonly apiKey: string | null;
  /** `Subject/NameID`: the user ID. */
  readonly userId: string | null;
  /** `SubjectConfirmationData/@Recipient`: the token URL. */
  readonly recipient: string | null;
  readonly issuer?: string | null;
  readonly audience?: string | null;
  readonly id?: string;
  readonly version?: string;
  readonly method?: string;
  /** Milliseconds: the moment the assertion is made. Default now. */
  readonly now?: number;
  /** Seconds the assertion lives. Default 600. */
  readonly lifetimeSeconds?: number;
  readonly issueInstant?: string | null;
  readonly notBefore?: string | null;
  readonly notOnOrAfter?: string | null;
  readonly confirmationNotOnOrAfter?: string | null;
  /** The SAML namespace prefix; `''` for the default namespace. Default `saml2`. */
  readonly prefix?: string;
}

const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A SAML time value (xs:dateTime in UTC) of milliseconds. */
export const samlTime = (ms: number) => new Date(ms).toISOString();

/** The unsigned assertion XML. */
export function assertionXml(claims: AssertionClaims): string {
  const now = claims.now ?? Date.now();
  const lifetime = (claims.lifetimeSeconds ?? 600) * 1000;
  const p = claims.prefix ?? 'saml2';
  const q = (name: string) => (p === '' ? name : `${p}:${name}`);
  const ns = p === '' ? `xmlns="${SAML_NS}"` : `xmlns:${p}="${SAML_NS}"`;
  const attr = (name: string, value: string | null | undefined) =>
    value === null || value === undefined ? '' : ` ${name}="${escapeXml(value)}"`;
  const element = (name: string, value: string | null | undefined) =>
    value === null || value === undefined ? '' : `<${q(name)}>${escapeXml(value)}</${q(name)}>`;

  const issueInstant = claims.issueInstant === undefined ? samlTime(now) : claims.issueInstant;
  const notBefore = claims.notBefore === undefined ? samlTime(now - 10_000) : claims.notBefore;
  const notOnOrAfter = claims.notOnOrAfter === undefined ? samlTime(now + lifetime) : claims.notOnOrAfter;
  const confirmationNotOnOrAfter =
    claims.confirmationNotOnOrAfter === undefined ? samlTime(now + lifetime) : claims.confirmationNotOnOrAfter;

  return (
    `<${q('Assertion')} ${ns} ID="${escapeXml(claims.id ?? `_${randomBytes(16).toString('hex')}`)}"` +
    `${attr('IssueInstant', issueInstant)} Version="${escapeXml(claims.version ?? '2.0')}">` +
    element('Issuer', claims.issuer === undefined ? 'www.successfactors.com' : claims.issuer) +
    `<${q('Subject')}>` +
    `${claims.userId === null ? '' : `<${q('NameID')} Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escapeXml(claims.userId)}</${q('NameID')}>`}` +
    `<${q('SubjectConfirmation')} Method="${escapeXml(claims.method ?? BEARER)}">` +
    `<${q('SubjectConfirmationData')}${attr('NotOnOrAfter', confirmationNotOnOrAfter)}${attr('Recipient', claims.recipient)}/>` +
    `</${q('SubjectConfirmation')}>` +
    `</${q('Subject')}>` +
    `<${q('Conditions')}${attr('NotBefore', notBefore)}${attr('NotOnOrAfter', notOnOrAfter)}>` +
    `${claims.audience === null ? '' : `<${q('AudienceRestriction')}>${element('Audience', claims.audience ?? 'www.successfactors.com')}</${q('AudienceRestriction')}>`}` +
    `</${q('Conditions')}>` +
    `<${q('AuthnStatement')} AuthnInstant="${samlTime(now)}" SessionIndex="${randomBytes(8).toString('hex')}">` +
    `<${q('AuthnContext')}><${q('AuthnContextClassRef')}>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</${q('AuthnContextClassRef')}></${q('AuthnContext')}>` +
    `</${q('AuthnStatement')}>` +
    `${claims.apiKey === null ? '' : `<${q('AttributeStatement')}><${q('Attribute')} Name="api_key">${element('AttributeValue', claims.apiKey)}</${q('Attribute')}></${q('AttributeStatement')}>`}` +
    `</${q('Assertion')}>`
  );
}

/** How to sign; the defaults are what SuccessFactors takes. */
export interface SignOptions {
  /** The certificate put into KeyInfo. Default the signing pair's. */
  readonly keyInfoCertificate?: string;
  readonly signatureAlgorithm?: string;
  readonly digestAlgorithm?: string;
  readonly transforms?: readonly string[];
  readonly canonicalizationAlgorithm?: string;
  /** Where the Signature goes (xml-crypto location). Default right after Issuer. */
  readonly location?: { readonly reference: string; readonly action: 'append' | 'prepend' | 'before' | 'after' };
}

/** Signs assertion XML with SignedXml: an enveloped signature over the Assertion, by its ID. */
export function signXml(xml: string, keys: KeyPair, options: SignOptions = {}): string {
  const signer = new SignedXml({
    privateKey: keys.privateKeyPem,
    publicCert: options.keyInfoCertificate ?? keys.certificatePem,
    signatureAlgorithm: options.signatureAlgorithm ?? RSA_SHA256,
    canonicalizationAlgorithm: options.canonicalizationAlgorithm ?? EXC_C14N,
  });
  signer.addReference({
    xpath: "/*[local-name(.)='Assertion']",
    transforms: options.transforms ?? [ENVELOPED, EXC_C14N],
    digestAlgorithm: options.digestAlgorithm ?? SHA256,
  });
  signer.computeSignature(xml, {
    prefix: 'ds',
    // Right after Issuer, where SAML Core's schema puts it; first in the Assertion when there is no Issuer.
    location:
      options.location ??
      (/<(\w+:)?Issuer[ >]/.test(xml)
        ? { reference: "/*/*[local-name(.)='Issuer']", action: 'after' }
        : { reference: '/*', action: 'prepend' }),
  });
  return signer.getSignedXml();
}

/** A signed assertion. */
export function signedAssertion(claims: AssertionClaims, keys: KeyPair, options?: SignOptions): string {
  return signXml(assertionXml(claims), keys, options);
}

/** The `assertion` parameter: base64 (default), base64url with padding, or base64url without. */
export function encode(xml: string, style: 'base64' | 'base64url-padded' | 'base64url' = 'base64'): string {
  const standard = Buffer.from(xml, 'utf8').toString('base64');
  if (style === 'base64') return standard;
  const url = standard.replace(/\+/g, '-').replace(/\//g, '_');
  return style === 'base64url-padded' ? url : url.replace(/=+$/, '');
}
