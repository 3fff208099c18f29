import { DOMParser } from '@xmldom/xmldom';

/** SAML 2.0 assertion namespace (SAML Core §2). */
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
/** XML Signature namespace (XMLDSig Core). */
export const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** Deeper documents are refused before anything walks them recursively. */
export const MAX_DEPTH = 64;

const ELEMENT_NODE = 1;
const ENTITY_REFERENCE_NODE = 5;
const DOCUMENT_TYPE_NODE = 10;

/** The outcome of parsing the decoded assertion. */
export type ParsedXml = { readonly ok: true; readonly document: Document } | { readonly ok: false; readonly reason: string };

class XmlError extends Error {}

/**
 * Parses XML strictly: any warning or error of the parser refuses the document, and so does a
 * document type declaration (no DTD, no entity of any kind is ever read), an entity reference left
 * in the tree, or nesting deeper than {@link MAX_DEPTH}.
 */
export function parseXml(text: string): ParsedXml {
  // Refused before parsing: nothing a DTD declares is ever looked at.
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    return { ok: false, reason: 'Invalid SAML assertion: a DOCTYPE is not allowed' };
  }
  const fail = (message: string) => {
    throw new XmlError(message);
  };
  let document: Document;
  try {
    document = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(
      text,
      'text/xml',
    );
  } catch {
    return { ok: false, reason: 'Invalid SAML assertion: not well-formed XML' };
  }
  if (!document?.documentElement) return { ok: false, reason: 'Invalid SAML assertion: not well-formed XML' };
  const walk: { node: Node; depth: number }[] = [{ node: document, depth: 0 }];
  while (walk.length > 0) {
    const { node, depth } = walk.pop()!;
    if (node.nodeType === DOCUMENT_TYPE_NODE) return { ok: false, reason: 'Invalid SAML assertion: a DOCTYPE is not allowed' };
    if (node.nodeType === ENTITY_REFERENCE_NODE) return { ok: false, reason: 'Invalid SAML assertion: entities are not allowed' };
    if (depth > MAX_DEPTH) return { ok: false, reason: 'Invalid SAML assertion: nested too deeply' };
    for (let child = node.firstChild; child; child = child.nextSibling) walk.push({ node: child, depth: depth + 1 });
  }
  return { ok: true, document };
}

/** Whether a node is an element of a namespace with a local name. */
export function isElement(node: Node | null | undefined, namespace: string, localName: string): node is Element {
  return (
    node?.nodeType === ELEMENT_NODE && (node as Element).namespaceURI === namespace && (node as Element).localName === localName
  );
}

/** The element children of a node. */
export function elementChildren(node: Node): Element[] {
  const children: Element[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) children.push(child as Element);
  }
  return children;
}

/** The element children of a node with this namespace and local name. */
export function childrenNamed(node: Node, namespace: string, localName: string): Element[] {
  return elementChildren(node).filter((child) => isElement(child, namespace, localName));
}

/** The one child with this name, or `undefined` when there is none or more than one. */
export function onlyChild(node: Node, namespace: string, localName: string): Element | undefined {
  const children = childrenNamed(node, namespace, localName);
  return children.length === 1 ? children[0] : undefined;
}

/** Every descendant element with this namespace and local name, in document order. */
export function descendantsNamed(root: Node, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node !== root && isElement(node, namespace, localName)) found.push(node);
    const children: Node[] = [];
    for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
    stack.push(...children.reverse());
  }
  return found;
}

/** An attribute without a namespace (as SAML's and XMLDSig's are), or `undefined`. */
export function attribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? element.getAttribute(name)! : undefined;
}

/** The text of an element, trimmed of the white space pretty-printing adds. */
export function text(element: Element): string {
  return (element.textContent ?? '').trim();
}
