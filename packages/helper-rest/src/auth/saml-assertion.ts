/**
 * A signed SAML 2.0 assertion for the SAML bearer grant (RFC 7522), built by the gateway for every
 * token request from `samlPayload` and the signing key in `tls`, as SAP SuccessFactors' OAuth
 * clients with a registered X.509 certificate take it.
 *
 * The XML is written here directly in its exclusive canonical form (XML-C14N 1.0 exclusive, no
 * comments): one namespace declaration on the element that first uses it, attributes in
 * canonical order, every element with an end tag, no whitespace between elements, text and
 * attribute values escaped as canonicalization escapes them. So the digest of the assertion and
 * the signature over `SignedInfo` are taken over exactly the bytes a verifier's canonicalizer
 * produces, without an XML library (tests verify the result with xml-crypto, a separate
 * implementation). The signature is enveloped (RSA-SHA256, SHA-256 digest) and sits right after
 * `Issuer`, where the SAML schema puts it.
 */
import { createHash, createSign, randomBytes } from 'node:crypto';

const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const PASSWORD_PROTECTED = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
/** SuccessFactors' audience. */
export const SUCCESSFACTORS_AUDIENCE = 'www.successfactors.com';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/** What goes into an assertion. */
export interface SamlAssertionInput {
  /** `Issuer`. */
  issuer: string;
  /** `Subject/NameID`: the user the client acts as. */
  nameId: string;
  nameIdFormat?: string | undefined;
  /** `SubjectConfirmationData/@Recipient`: the token URL. */
  recipient: string;
  /** `AudienceRestriction/Audience`. */
  audience: string;
  /** Seconds the assertion is valid from now. */
  lifetimeSeconds: number;
  /** `AttributeStatement`: name → value (SuccessFactors wants `api_key`). */
  attributes?: Readonly<Record<string, string>> | undefined;
  /** PEM private key (RSA) that signs. */
  privateKeyPem: string;
  passphrase?: string | null | undefined;
  /** PEM certificate put into `KeyInfo`, when given. */
  certificatePem?: string | undefined;
  /** Milliseconds; default `Date.now()`. */
  now?: number;
}

/** Text content as C14N writes it. */
export function c14nText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

/** An attribute value as C14N writes it. */
export function c14nAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

/**
 * One element in canonical form. `attrs` are unqualified attributes (C14N orders them by name,
 * after the namespace declaration `ns`, which goes on this element only).
 */
function el(name: string, attrs: Record<string, string>, content: string, ns?: { prefix: string; uri: string }): string {
  const decl = ns ? ` xmlns:${ns.prefix}="${c14nAttr(ns.uri)}"` : '';
  const list = Object.keys(attrs)
    .sort()
    .map((k) => ` ${k}="${c14nAttr(attrs[k] as string)}"`)
    .join('');
  return `<${name}${decl}${list}>${content}</${name}>`;
}

/**
 * Refuses text XML 1.0 cannot carry (control characters but tab, newline and carriage return) in
 * any field of `input`, naming the field. Signing calls it; so may a caller checking settings.
 */
export function checkSamlText(input: SamlAssertionInput): void {
  const fields: [string, string | undefined][] = [
    ['issuer', input.issuer],
    ['userId', input.nameId],
    ['nameIdFormat', input.nameIdFormat],
    ['recipient', input.recipient],
    ['audience', input.audience],
    ...Object.entries(input.attributes ?? {}).flatMap(([name, value]): [string, string][] => [
      ['attribute name', name],
      [name, value],
    ]),
  ];
  for (const [what, value] of fields) {
    if (value !== undefined && /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(value))
      throw new Error(`${what} contains characters XML cannot carry`);
  }
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The signed assertion, as XML text. */
export function signedSamlAssertion(input: SamlAssertionInput): string {
  const now = input.now ?? Date.now();
  const id = `_${randomBytes(16).toString('hex')}`;
  const issued = iso(now);
  // A minute back for the server's clock, as identity providers do.
  const notBefore = iso(now - 60_000);
  const notOnOrAfter = iso(now + input.lifetimeSeconds * 1000);
  checkSamlText(input);
  const s = (name: string) => `saml2:${name}`;

  const issuer = el(s('Issuer'), {}, c14nText(input.issuer));
  const subject = el(
    s('Subject'),
    {},
    el(s('NameID'), { Format: input.nameIdFormat ?? UNSPECIFIED }, c14nText(input.nameId)) +
      el(
        s('SubjectConfirmation'),
        { Method: BEARER },
        el(s('SubjectConfirmationData'), { NotOnOrAfter: notOnOrAfter, Recipient: input.recipient }, ''),
      ),
  );
  const conditions = el(
    s('Conditions'),
    { NotBefore: notBefore, NotOnOrAfter: notOnOrAfter },
    el(s('AudienceRestriction'), {}, el(s('Audience'), {}, c14nText(input.audience))),
  );
  const authn = el(
    s('AuthnStatement'),
    { AuthnInstant: issued, SessionIndex: id },
    el(s('AuthnContext'), {}, el(s('AuthnContextClassRef'), {}, PASSWORD_PROTECTED)),
  );
  const attributes = Object.entries(input.attributes ?? {});
  const statement = attributes.length
    ? el(
        s('AttributeStatement'),
        {},
        attributes
          .map(([name, value]) => el(s('Attribute'), { Name: name }, el(s('AttributeValue'), {}, c14nText(value))))
          .join(''),
      )
    : '';
  const rest = subject + conditions + authn + statement;
  const rootAttrs = { ID: id, IssueInstant: issued, Version: '2.0' };
  const ns = { prefix: 'saml2', uri: SAML };

  // The digest covers the assertion without its signature (the enveloped-signature transform).
  const digest = createHash('sha256')
    .update(el(s('Assertion'), rootAttrs, issuer + rest, ns))
    .digest('base64');
  const signedInfoContent =
    el('ds:CanonicalizationMethod', { Algorithm: EXC_C14N }, '') +
    el('ds:SignatureMethod', { Algorithm: RSA_SHA256 }, '') +
    el(
      'ds:Reference',
      { URI: `#${id}` },
      el(
        'ds:Transforms',
        {},
        el('ds:Transform', { Algorithm: ENVELOPED }, '') + el('ds:Transform', { Algorithm: EXC_C14N }, ''),
      ) +
        el('ds:DigestMethod', { Algorithm: SHA256 }, '') +
        el('ds:DigestValue', {}, digest),
    );
  // SignedInfo canonicalized on its own declares the ds namespace it uses (and not saml2).
  const signedInfo = el('ds:SignedInfo', {}, signedInfoContent, { prefix: 'ds', uri: DSIG });
  const signature = createSign('RSA-SHA256')
    .update(signedInfo)
    .sign(input.passphrase ? { key: input.privateKeyPem, passphrase: input.passphrase } : input.privateKeyPem, 'base64');
  const certificate = input.certificatePem
    ? /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(input.certificatePem)?.[1]?.replace(/\s+/g, '')
    : undefined;
  const keyInfo = certificate ? el('ds:KeyInfo', {}, el('ds:X509Data', {}, el('ds:X509Certificate', {}, certificate))) : '';
  const signatureElement = el(
    'ds:Signature',
    {},
    // In the document SignedInfo inherits the declaration from Signature.
    el('ds:SignedInfo', {}, signedInfoContent) + el('ds:SignatureValue', {}, signature) + keyInfo,
    { prefix: 'ds', uri: DSIG },
  );
  return el(s('Assertion'), rootAttrs, issuer + signatureElement + rest, ns);
}
