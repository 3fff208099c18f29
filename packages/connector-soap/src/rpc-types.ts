/**
 * Element types for rpc messages. soap describes an rpc part declared by `type=` (rather than
 * `element=`) as its raw schema node, so its parser reads the part's children untyped: a value of
 * only spaces is lost and booleans stay strings. Here each such part gets the description soap
 * gives document/literal elements, and a SOAP-encoded array (`soapenc:Array` with a
 * `wsdl:arrayType`) describes any child as one item of the array's type.
 *
 * @see SOAP 1.1 §5.4.2 (arrays), WSDL 1.1 §3.5 (soap:body use="encoded")
 */

interface SchemaNode {
  name?: string;
  children?: SchemaNode[];
  description?: (definitions: unknown, xmlns?: unknown) => unknown;
  xmlns?: unknown;
  [attribute: string]: unknown;
}

interface Definitions {
  messages?: Record<string, { element?: unknown; parts?: Record<string, unknown> }>;
  schemas?: Record<string, { complexTypes?: Record<string, SchemaNode>; types?: Record<string, SchemaNode>; xmlns?: unknown }>;
  xmlns?: Record<string, string>;
}

const XSD = 'http://www.w3.org/2001/XMLSchema';

/** `wsdl:arrayType` of a `soapenc:Array` restriction, e.g. `tns:Account[]`. */
function arrayTypeOf(node: SchemaNode): string | undefined {
  const content = node.children?.find((c) => c.name === 'complexContent');
  const restriction = content?.children?.find((c) => c.name === 'restriction');
  if (!restriction || !/(^|:)Array$/.test(String(restriction.$base ?? ''))) return undefined;
  for (const attr of restriction.children ?? []) {
    for (const [k, v] of Object.entries(attr)) if (k.endsWith(':arrayType') && typeof v === 'string') return v;
  }
  return undefined;
}

/** The description of a named type: `xsd:string` for built-ins, soap's description for complex types. */
function describeQName(qname: string, defs: Definitions, depth: number): unknown {
  const [prefix, local] = qname.includes(':') ? qname.split(':', 2) : ['', qname];
  const ns = (prefix && defs.xmlns?.[prefix]) || undefined;
  if (ns === XSD || prefix === 'xsd' || prefix === 'xs') return `xsd:${local}`;
  const schema = ns ? defs.schemas?.[ns] : undefined;
  const node = schema?.complexTypes?.[local as string] ?? schema?.types?.[local as string];
  return node ? describeNode(node, defs, depth + 1, schema?.xmlns) : undefined;
}

/** A description object whose every child is one array item. */
function anyItem(item: unknown): Record<string, unknown> {
  return new Proxy({} as Record<string, unknown>, {
    get: (_t, key) => (typeof key === 'string' && !key.startsWith('$') ? item : undefined),
    has: (_t, key) => typeof key === 'string' && !key.startsWith('$'),
  });
}

function describeNode(node: SchemaNode, defs: Definitions, depth: number, xmlns?: unknown): unknown {
  if (depth > 8) return undefined;
  const arrayType = arrayTypeOf(node);
  if (arrayType) {
    const item = describeQName(arrayType.replace(/(\[[\d,]*\])+$/, ''), defs, depth);
    return item === undefined ? undefined : anyItem(item);
  }
  return typeof node.description === 'function' ? node.description(defs, xmlns ?? node.xmlns) : undefined;
}

/**
 * Replaces the raw schema nodes of rpc parts with element descriptions, in place. Parts soap
 * already describes (document/literal messages) are left alone.
 */
export function describeRpcParts(definitions: unknown): void {
  const defs = definitions as Definitions;
  for (const message of Object.values(defs.messages ?? {})) {
    if (message.element || !message.parts) continue;
    for (const [name, part] of Object.entries(message.parts)) {
      if (typeof part !== 'object' || part === null) continue;
      try {
        const described = describeNode(part as SchemaNode, defs, 0);
        if (described !== undefined) message.parts[name] = described;
      } catch {
        // A part soap's own description can't handle keeps the raw node (read untyped, as before).
      }
    }
  }
}
