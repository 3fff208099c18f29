import type { KeyObject } from 'node:crypto';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import { attribute, childrenNamed, DS_NS, descendantsNamed, elementChildren, isElement, onlyChild, SAML_NS } from './xml.js';

/** The algorithms the emulator takes, and the only ones (XMLDSig Core, XML Encryption, RFC 6931). */
export const XMLDSIG = {
  /** Exclusive XML Canonicalization 1.0, without comments: SignedInfo's CanonicalizationMethod and the Reference's last transform. */
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  /** The enveloped signature transform: the Reference's first transform. */
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  /** RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6931 §2.3.2). */
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  /** SHA-256 digest (XML Encryption §5.7.2). */
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

/** An ID that may be named in a same-document reference: an NCName (XML Namespaces), without the quotes xml-crypto refuses. */
const NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Checks the signature of a SAML assertion, the root element of `xml`, with the public key of the
 * certificate registered for the client, and that what it signs is that assertion:
 *
 * - exactly one `ds:Signature` in the whole document, a child of the Assertion, preceded by nothing
 *   but the Assertion's `Issuer` (SAML Core §2.3.3: Issuer, then Signature);
 * - SignedInfo: exclusive C14N, RSA-SHA256, exactly one Reference whose URI is `#` + the
 *   Assertion's `ID`, with the transforms enveloped-signature then exclusive C14N (SAML Core §5.4),
 *   and a SHA-256 digest;
 * - xml-crypto's `SignedXml` verifies the digest and the signature value with the registered key
 *   only (a certificate in KeyInfo is never read);
 * - the one reference xml-crypto verified, in its canonical form, is byte for byte the canonical
 *   form of the Assertion element the claims will be read from (so a signature over another
 *   element, wrapped or moved, is refused).
 */
export function verifyAssertionSignature(xml: string, assertion: Element, publicKey: KeyObject): boolean {
  const document = assertion.ownerDocument;
  if (!document || document.documentElement !== assertion) return false;
  const signatures = descendantsNamed(document, DS_NS, 'Signature');
  if (signatures.length !== 1) return false;
  const signature = signatures[0]!;
  if (signature.parentNode !== assertion) return false;
  const before: Element[] = [];
  for (const child of elementChildren(assertion)) {
    if (child === signature) break;
    before.push(child);
  }
  if (before.length > 1 || (before.length === 1 && !isElement(before[0], SAML_NS, 'Issuer'))) return false;

  const id = attribute(assertion, 'ID');
  if (id === undefined || !NCNAME.test(id)) return false;
  const prefixList = signedInfoPrefixList(signature, id);
  if (prefixList === undefined) return false;

  let signedReferences: string[];
  try {
    const verifier = new SignedXml({ publicCert: publicKey, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signature);
    if (verifier.checkSignature(xml) !== true) return false;
    signedReferences = verifier.getSignedReferences();
  } catch {
    return false;
  }
  if (signedReferences.length !== 1) return false;
  return signedReferences[0] === canonicalWithoutSignature(assertion, signature, prefixList);
}

/**
 * Checks the shape of the Signature element and returns the InclusiveNamespaces PrefixList of the
 * Reference's exclusive C14N transform (empty when there is none), or `undefined` when the
 * signature is not the one SAML assertions carry.
 */
function signedInfoPrefixList(signature: Element, id: string): string[] | undefined {
  const parts = elementChildren(signature);
  if (parts.some((part) => part.namespaceURI !== DS_NS)) return undefined;
  if (parts.some((part) => !['SignedInfo', 'SignatureValue', 'KeyInfo'].includes(part.localName ?? ''))) return undefined;
  const signedInfo = onlyChild(signature, DS_NS, 'SignedInfo');
  const signatureValue = onlyChild(signature, DS_NS, 'SignatureValue');
  if (!signedInfo || !signatureValue || parts[0] !== signedInfo || parts[1] !== signatureValue) return undefined;
  if (elementChildren(signatureValue).length > 0) return undefined;

  const [c14n, method, reference, ...rest] = elementChildren(signedInfo);
  if (rest.length > 0) return undefined;
  if (!isElement(c14n, DS_NS, 'CanonicalizationMethod') || attribute(c14n, 'Algorithm') !== XMLDSIG.excC14n) return undefined;
  if (!isElement(method, DS_NS, 'SignatureMethod') || attribute(method, 'Algorithm') !== XMLDSIG.rsaSha256) return undefined;
  if (elementChildren(c14n).length > 0 || elementChildren(method).length > 0) return undefined;
  if (!isElement(reference, DS_NS, 'Reference') || attribute(reference, 'URI') !== `#${id}`) return undefined;

  const [transforms, digestMethod, digestValue, ...more] = elementChildren(reference);
  if (more.length > 0) return undefined;
  if (!isElement(transforms, DS_NS, 'Transforms')) return undefined;
  if (!isElement(digestMethod, DS_NS, 'DigestMethod') || attribute(digestMethod, 'Algorithm') !== XMLDSIG.sha256)
    return undefined;
  if (elementChildren(digestMethod).length > 0) return undefined;
  if (!isElement(digestValue, DS_NS, 'DigestValue') || elementChildren(digestValue).length > 0) return undefined;

  const steps = elementChildren(transforms);
  const [enveloped, exclusive] = steps;
  if (steps.length !== 2 || !isElement(enveloped, DS_NS, 'Transform') || !isElement(exclusive, DS_NS, 'Transform'))
    return undefined;
  if (attribute(enveloped, 'Algorithm') !== XMLDSIG.envelopedSignature || elementChildren(enveloped).length > 0) return undefined;
  if (attribute(exclusive, 'Algorithm') !== XMLDSIG.excC14n) return undefined;
  const options = elementChildren(exclusive);
  const inclusive = childrenNamed(exclusive, XMLDSIG.excC14n, 'InclusiveNamespaces');
  if (options.length !== inclusive.length || inclusive.length > 1) return undefined;
  const prefixList = inclusive[0] ? (attribute(inclusive[0], 'PrefixList') ?? '') : '';
  return prefixList.split(/\s+/).filter((prefix) => prefix !== '');
}

/** The Assertion as the Reference's transforms make it: without its Signature, exclusively canonicalized. */
function canonicalWithoutSignature(assertion: Element, signature: Element, prefixList: string[]): string {
  const index = Array.prototype.indexOf.call(assertion.childNodes, signature);
  const copy = assertion.cloneNode(true) as Element;
  copy.removeChild(copy.childNodes[index]!);
  return new ExclusiveCanonicalization().process(copy, {
    inclusiveNamespacesPrefixList: prefixList,
    ancestorNamespaces: [],
    defaultNsForPrefix: { ds: DS_NS },
  });
}
