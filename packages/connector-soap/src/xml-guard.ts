/**
 * What stands between SOAP messages and the `soap` package's XML handling, in both directions.
 *
 * Outbound, every value is data: the `soap` package escapes text, except a string that starts with
 * `<![CDATA[` and ends with `]]>`, which it writes unescaped. Such values are re-encoded here so they
 * arrive as the same text, and values XML 1.0 can't carry at all are refused (400) instead of being
 * altered. Element names that come from client data must be plain XML names.
 *
 * Inbound, a response is read once with a strict SAX parser before `soap` sees it: a document type
 * declaration (internal subset, external entities) is refused, so is anything that is not
 * well-formed (undeclared entity references included), element names or ids that would reach
 * JavaScript object internals (`__proto__`), and nesting deeper than {@link MAX_DEPTH}.
 *
 * @see XML 1.0 §2.2 (characters), §2.8 (document type declaration), §2.7 (CDATA sections)
 */
import sax from 'sax';

/** Deepest element nesting accepted in a response. */
export const MAX_DEPTH = 64;

/** Why a response was refused. */
export class XmlRefusedError extends Error {
  override name = 'XmlRefusedError';
  readonly code = 'ERR_SOAP_XML_REFUSED';
}

/** A value that can't travel in an XML message. */
export class XmlValueError extends Error {
  override name = 'XmlValueError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const UNSAFE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// soap's text parser re-parses CDATA that contains an XML declaration; the same test, to check it too.
const NESTED_XML = /<\?xml[\s\S]+\?>/;

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** Options of {@link refuseXml}. */
export interface RefuseXmlOptions {
  /**
   * The document must be a SOAP envelope (root element `Envelope`, a `Body` in it): the answer to
   * an operation that has an output message. A WSDL, or a one-way operation's answer, need not be.
   */
  envelope?: boolean;
}

/**
 * Reads `xml` with a strict SAX parser and returns why it must not be parsed further, or
 * `undefined` when it may.
 *
 * @example
 * refuseXml('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>') // 'document type declarations are not accepted'
 */
export function refuseXml(xml: string, options: RefuseXmlOptions = {}): string | undefined {
  return refuseAt(xml, options, 0);
}

/** {@link refuseXml} for a document `nested` levels inside CDATA of another. */
function refuseAt(xml: string, options: RefuseXmlOptions, nested: number): string | undefined {
  // Empty: nothing but XML's white space (§2.3: space, tab, CR, LF; not JavaScript's wider trim).
  if (options.envelope && /^[ \t\r\n]*$/.test(xml)) return 'the response is empty where a SOAP envelope was expected';
  // Only the five predefined entities: sax would otherwise read HTML ones (&nbsp;) as if declared.
  const parser = sax.parser(true, { xmlns: false, position: false, strictEntities: true } as sax.SAXOptions);
  let reason: string | undefined;
  let depth = 0;
  let root: string | undefined;
  let body = false;
  const refuse = (why: string) => {
    reason ??= why;
  };
  parser.ondoctype = () => refuse('document type declarations are not accepted');
  parser.onopentag = (node) => {
    depth++;
    if (depth === 1) root = node.name;
    else if (depth === 2 && localName(node.name) === 'Body') body = true;
    if (depth > MAX_DEPTH) refuse(`elements nest deeper than ${MAX_DEPTH}`);
    if (UNSAFE_NAMES.has(localName(node.name))) refuse(`element name "${node.name}" is not accepted`);
    for (const [name, value] of Object.entries(node.attributes)) {
      const v = typeof value === 'string' ? value : value.value;
      if (UNSAFE_NAMES.has(localName(name))) refuse(`attribute name "${name}" is not accepted`);
      if ((localName(name) === 'id' || localName(name) === 'href') && UNSAFE_NAMES.has(v.replace(/^#/, ''))) {
        refuse(`reference "${v}" is not accepted`);
      }
    }
  };
  parser.onclosetag = () => {
    depth--;
  };
  parser.oncdata = (text) => {
    if (nested < 2 && NESTED_XML.test(text)) {
      const inner = refuseAt(text.trim(), {}, nested + 1);
      if (inner) refuse(`embedded document: ${inner}`);
    }
  };
  parser.onerror = (e) => {
    refuse(`not well-formed XML (${e.message.split('\n')[0]})`);
    // Stop here: a strict parser after an error only produces more of them.
    throw e;
  };
  try {
    parser.write(xml).close();
  } catch {
    // `reason` says why.
  }
  if (reason === undefined && options.envelope) {
    // soap reads a document without a Body as an empty answer: a read would become "not found".
    if (root === undefined || localName(root) !== 'Envelope') {
      return `the response is not a SOAP envelope (its root element is ${root === undefined ? 'missing' : `"${root}"`})`;
    }
    if (!body) return 'the SOAP envelope has no Body';
  }
  return reason;
}

/** True for a code point XML 1.0 can carry (§2.2 Char). */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** The first character of `s` XML 1.0 can't carry (lone surrogates included), as `U+XXXX`. */
export function firstNonXmlChar(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    }
    if (!isXmlChar(c)) return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return undefined;
}

/** Text escaped the way soap escapes (`&`, `<`, `>`, quotes, and tab/CR/LF as character references). */
function escapeText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#x9;')
    .replace(/\r/g, '&#xD;')
    .replace(/\n/g, '&#xA;');
}

const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';

/**
 * A string as soap must receive it to put exactly this text on the wire. soap writes a value that
 * looks like one CDATA section unescaped; such a value becomes escaped text between two empty
 * CDATA sections, which soap also leaves alone and every XML parser reads as nothing.
 */
export function protectText(s: string): string {
  if (s.startsWith(CDATA_OPEN) && s.endsWith(CDATA_CLOSE))
    return `${CDATA_OPEN}${CDATA_CLOSE}${escapeText(s)}${CDATA_OPEN}${CDATA_CLOSE}`;
  return s;
}

// XML names (§2.3), optionally prefixed; `$` names are soap's own keys ($xml writes raw XML).
const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*(?::[\p{L}_][\p{L}\p{N}_.-]*)?$/u;

/**
 * Makes a filled message safe to hand to soap: checks every element name and every text value,
 * and re-encodes the values soap would write unescaped. Returns a new tree.
 *
 * @throws XmlValueError naming the path of a value XML can't carry or a key that is not an XML name
 */
export function prepareMessage(value: unknown, path = ''): unknown {
  if (typeof value === 'string') {
    const bad = firstNonXmlChar(value);
    if (bad) throw new XmlValueError(path, `${path || 'value'} contains ${bad}, which XML 1.0 can't carry`);
    return protectText(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new XmlValueError(path, `${path || 'value'} is not a finite number`);
    return value;
  }
  if (value === null || typeof value === 'boolean' || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v, i) => prepareMessage(v, `${path}[${i}]`));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!XML_NAME.test(k) || UNSAFE_NAMES.has(localName(k))) {
        throw new XmlValueError(path, `${path ? `${path}: ` : ''}"${k.slice(0, 40)}" is not an XML element name`);
      }
      out[k] = prepareMessage(v, path ? `${path}.${k}` : k);
    }
    return out;
  }
  throw new XmlValueError(path, `${path || 'value'} has a type XML can't carry (${typeof value})`);
}
