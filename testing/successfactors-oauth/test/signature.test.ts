/**
 * The signature checks of POST /oauth/token: the registered certificate's key only, the algorithms
 * SAML assertions use, the Signature where SAML puts it, and signature wrapping.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertionXml, ENVELOPED, encode, EXC_C14N, RSA_SHA1, SAML_NS, SHA1, signedAssertion } from './helpers/assertion.js';
import { startWorld, type World } from './helpers/world.js';

const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const C14N = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.emulator.close());

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
const serialize = (node: Node) => new XMLSerializer().serializeToString(node);
const firstChild = (parent: Element, ns: string, name: string) => parent.getElementsByTagNameNS(ns, name)[0]!;

async function expectSignatureRefused(xml: string) {
  const answer = await world.request(encode(xml));
  expect({ status: answer.status, json: answer.json }).toEqual({
    status: 400,
    json: { error: 'invalid_grant', error_description: 'Invalid SAML assertion signature' },
  });
}

describe('the signature must be by the registered certificate', () => {
  it('accepts the signed assertion the tests start from', async () => {
    expect((await world.request(encode(signedAssertion(world.claims(), world.keys)))).status).toBe(200);
  });

  it('refuses an unsigned assertion', async () => {
    await expectSignatureRefused(assertionXml(world.claims()));
  });

  it('refuses a signature by another key, even with that key’s certificate in KeyInfo', async () => {
    await expectSignatureRefused(signedAssertion(world.claims(), world.strangerKeys));
    await expectSignatureRefused(
      signedAssertion(world.claims(), world.strangerKeys, { keyInfoCertificate: world.strangerKeys.certificatePem }),
    );
  });

  it("refuses a signature by another client's registered key", async () => {
    await expectSignatureRefused(signedAssertion(world.claims(), world.otherKeys));
  });

  it('refuses an assertion whose NameID or api_key was changed after signing', async () => {
    const signed = signedAssertion(world.claims({ userId: 'alice' }), world.keys);
    expect(signed).toContain('>alice</saml2:NameID>');
    await expectSignatureRefused(signed.replace('>alice</saml2:NameID>', '>bob</saml2:NameID>'));
    const otherKey = signedAssertion(world.claims({ userId: 'alice' }), world.keys);
    await expectSignatureRefused(otherKey.replace(`>${world.apiKey}<`, `>${world.apiKey}x<`));
    await expectSignatureRefused(otherKey.replace('Version="2.0"', 'Version="2.0" Extra="1"'));
  });

  it('refuses a changed SignatureValue', async () => {
    const signed = signedAssertion(world.claims(), world.keys);
    const value = /<ds:SignatureValue>([^<]+)</.exec(signed)![1]!;
    const flipped = `${value.slice(0, 10)}${value[10] === 'A' ? 'B' : 'A'}${value.slice(11)}`;
    await expectSignatureRefused(signed.replace(value, flipped));
  });

  it('reads a NameID split by a comment as a whole (comments are not signed)', async () => {
    // The signer vouched for "alice.evil"; a comment inserted after signing leaves the digest as it
    // was, and a reader that takes only the first text node would see "alice".
    const signed = signedAssertion(world.claims({ userId: 'alice.evil' }), world.keys);
    const commented = signed.replace('>alice.evil<', '>alice<!---->.evil<');
    const answer = await world.request(encode(commented));
    expect(answer.status).toBe(400);
    expect(answer.json.error_description).toMatch(/user "alice\.evil" not found/);
  });
});

describe('the signature must be the one SAML assertions carry', () => {
  it('refuses RSA-SHA1, a SHA-1 digest, inclusive C14N and a missing transform', async () => {
    await expectSignatureRefused(signedAssertion(world.claims(), world.keys, { signatureAlgorithm: RSA_SHA1 }));
    await expectSignatureRefused(signedAssertion(world.claims(), world.keys, { digestAlgorithm: SHA1 }));
    await expectSignatureRefused(signedAssertion(world.claims(), world.keys, { transforms: [ENVELOPED, C14N] }));
    await expectSignatureRefused(signedAssertion(world.claims(), world.keys, { transforms: [ENVELOPED] }));
    await expectSignatureRefused(signedAssertion(world.claims(), world.keys, { canonicalizationAlgorithm: C14N }));
    await expectSignatureRefused(signedAssertion(world.claims(), world.keys, { transforms: [EXC_C14N, ENVELOPED] }));
  });

  it('refuses a Signature that is not right after Issuer', async () => {
    await expectSignatureRefused(
      signedAssertion(world.claims(), world.keys, { location: { reference: '/*', action: 'append' } }),
    );
    await expectSignatureRefused(
      signedAssertion(world.claims(), world.keys, {
        location: { reference: "/*/*[local-name(.)='Subject']", action: 'after' },
      }),
    );
  });

  it('refuses a Signature that is not a child of the Assertion, even one that verifies', async () => {
    const nested = signedAssertion(world.claims(), world.keys, {
      location: { reference: "/*/*[local-name(.)='Conditions']", action: 'append' },
    });
    expect(nested).toMatch(/<ds:Signature[\s\S]*<\/saml2:Conditions>/);
    await expectSignatureRefused(nested);
  });

  it('refuses a second Signature', async () => {
    const doc = parse(signedAssertion(world.claims(), world.keys));
    const signature = firstChild(doc.documentElement!, DS_NS, 'Signature');
    doc.documentElement!.insertBefore(signature.cloneNode(true), signature.nextSibling);
    await expectSignatureRefused(serialize(doc));
  });

  it('refuses a reference to the whole document (URI="") instead of the Assertion by ID', async () => {
    const xml = assertionXml(world.claims());
    const { SignedXml } = await import('xml-crypto');
    const signer = new SignedXml({
      privateKey: world.keys.privateKeyPem,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: EXC_C14N,
    });
    signer.addReference({
      xpath: '/*',
      transforms: [ENVELOPED, EXC_C14N],
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      isEmptyUri: true,
    });
    signer.computeSignature(xml, { prefix: 'ds', location: { reference: "/*/*[local-name(.)='Issuer']", action: 'after' } });
    const signed = signer.getSignedXml();
    expect(signed).toContain('URI=""');
    await expectSignatureRefused(signed);
  });
});

describe('signature wrapping', () => {
  /** A signed assertion for alice with ID `_signed`, parsed, and its Signature. */
  function signedForAlice() {
    const doc = parse(signedAssertion(world.claims({ id: '_signed', userId: 'alice' }), world.keys));
    const assertion = doc.documentElement!;
    return { doc, assertion, signature: firstChild(assertion, DS_NS, 'Signature') };
  }

  /** An unsigned assertion for bob (a user the attacker wants to be), parsed. */
  function forgedForBob(id: string) {
    return parse(assertionXml(world.claims({ id, userId: 'bob' }))).documentElement!;
  }

  /** Puts a node into `<saml2:Advice>` at the end of an assertion. */
  function inAdvice(assertion: Element, node: Node) {
    const advice = assertion.ownerDocument!.createElementNS(SAML_NS, 'saml2:Advice');
    advice.appendChild(assertion.ownerDocument!.importNode(node, true));
    assertion.appendChild(advice);
  }

  it('refuses an unsigned assertion for another user that wraps the signed one and carries its Signature', async () => {
    const { assertion, signature } = signedForAlice();
    assertion.removeChild(signature);
    const forged = forgedForBob('_forged');
    const issuer = firstChild(forged, SAML_NS, 'Issuer');
    forged.insertBefore(forged.ownerDocument!.importNode(signature, true), issuer.nextSibling);
    inAdvice(forged, assertion);
    const xml = serialize(forged);
    expect(xml).toContain('URI="#_signed"');
    expect(xml).toContain('>bob</saml2:NameID>');
    await expectSignatureRefused(xml);
  });

  it('refuses a forged assertion that takes the signed one’s ID', async () => {
    const { assertion, signature } = signedForAlice();
    assertion.removeChild(signature);
    const forged = forgedForBob('_signed');
    const issuer = firstChild(forged, SAML_NS, 'Issuer');
    forged.insertBefore(forged.ownerDocument!.importNode(signature, true), issuer.nextSibling);
    inAdvice(forged, assertion);
    await expectSignatureRefused(serialize(forged));
  });

  it('refuses a forged assertion that carries the signed one, Signature and all, inside it', async () => {
    const { assertion } = signedForAlice();
    const forged = forgedForBob('_forged');
    inAdvice(forged, assertion);
    await expectSignatureRefused(serialize(forged));
  });

  it('refuses a signed assertion moved into the Signature of a forged one', async () => {
    const { assertion, signature } = signedForAlice();
    assertion.removeChild(signature);
    const forged = forgedForBob('_forged');
    const moved = forged.ownerDocument!.importNode(signature, true) as Element;
    const object = forged.ownerDocument!.createElementNS(DS_NS, 'ds:Object');
    object.appendChild(forged.ownerDocument!.importNode(assertion, true));
    moved.appendChild(object);
    forged.insertBefore(moved, firstChild(forged, SAML_NS, 'Issuer').nextSibling);
    await expectSignatureRefused(serialize(forged));
  });

  it('still accepts the signed assertion by itself (the attacks above fail for their wrapping only)', async () => {
    const { doc } = signedForAlice();
    const answer = await world.request(encode(serialize(doc)));
    expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  });
});
