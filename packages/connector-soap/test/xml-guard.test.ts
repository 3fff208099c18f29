/** The XML guard and the outbound value checks, as properties over generated input. */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import sax from 'sax';
import { describe, expect, it } from 'vitest';
import {
  compileTemplate,
  firstNonXmlChar,
  prepareMessage,
  protectText,
  refuseXml,
  TemplateError,
  XmlValueError,
} from '../src/index.js';

// soap's own text escaping, which protectText's output goes through.
const { xmlEscape } = createRequire(import.meta.url)('soap/lib/utils') as { xmlEscape: (s: string) => string };

/** The text content of `<v>…</v>` as a conformant reader sees it (text and CDATA together). */
function textOf(xml: string): string {
  const p = sax.parser(true, {});
  let out = '';
  p.ontext = (t) => {
    out += t;
  };
  p.oncdata = (t) => {
    out += t;
  };
  p.write(`<v>${xml}</v>`).close();
  return out;
}

const xmlString = fc.string({ unit: 'binary', maxLength: 60 }).filter((s) => firstNonXmlChar(s) === undefined);
const cdataLike = fc
  .tuple(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 20 }))
  .map(([a, b]) => `<![CDATA[${a}]]>${b}]]>`)
  .filter((s) => firstNonXmlChar(s) === undefined);

describe('protectText', () => {
  it('every string of XML characters reaches the reader unchanged through soap’s escaping', () => {
    fc.assert(
      fc.property(fc.oneof(xmlString, cdataLike), (s) => {
        expect(textOf(xmlEscape(protectText(s)))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('re-encodes exactly the strings soap would write unescaped', () => {
    expect(protectText('<![CDATA[x]]><evil/>]]>')).toBe('<![CDATA[]]>&lt;![CDATA[x]]&gt;&lt;evil/&gt;]]&gt;<![CDATA[]]>');
    expect(protectText('a<b')).toBe('a<b');
    expect(textOf(xmlEscape(protectText('<![CDATA[x]]><evil/>]]>')))).toBe('<![CDATA[x]]><evil/>]]>');
  });
});

describe('refuseXml', () => {
  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const r = refuseXml(s);
        expect(r === undefined || typeof r === 'string').toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on XML-looking input, and refuses every document type declaration', () => {
    const piece = fc.constantFrom(
      '<a>',
      '</a>',
      '<b x="1">',
      '</b>',
      '<!DOCTYPE a>',
      '<!ENTITY e "x">',
      '&e;',
      '&amp;',
      '<![CDATA[',
      ']]>',
      '<?xml version="1.0"?>',
      'text',
      '<c/>',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const xml = parts.join('');
        const r = refuseXml(xml);
        // Outside CDATA a DOCTYPE is markup; inside, it is text.
        if (xml.includes('<!DOCTYPE') && !xml.includes('<![CDATA[')) expect(r).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    [
      'an internal subset with an external entity',
      '<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><e>&x;</e>',
      /document type/,
    ],
    ['a plain DOCTYPE', '<!DOCTYPE e SYSTEM "http://evil.example/e.dtd"><e/>', /document type/],
    [
      'billion laughs',
      `<!DOCTYPE l [<!ENTITY a "aaaa">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i} "${`&${i ? `l${i - 1}` : 'a'};`.repeat(10)}">`).join('')}]><l>&l8;</l>`,
      /document type/,
    ],
    ['an undeclared entity', '<e>&nbsp;</e>', /not well-formed/],
    ['a parameter entity outside a DTD', '<e>%p;<!ENTITY % p "x"></e>', /not well-formed/],
    ['an element named __proto__', '<e><__proto__><x>1</x></__proto__></e>', /__proto__/],
    ['a prefixed __proto__', '<e xmlns:a="urn:a"><a:__proto__/></e>', /__proto__/],
    ['an id of __proto__', '<e><x id="__proto__"/></e>', /__proto__/],
    ['an href to #constructor', '<e><x href="#constructor"/></e>', /constructor/],
    ['deep nesting', `${'<a>'.repeat(200)}${'</a>'.repeat(200)}`, /deeper/],
    [
      'a DOCTYPE inside a CDATA document soap would parse',
      '<e><![CDATA[<?xml version="1.0"?><!DOCTYPE x [<!ENTITY y "z">]><x>&y;</x>]]></e>',
      /embedded document: document type/,
    ],
    ['truncated XML', '<e><f>', /not well-formed/],
  ])('refuses %s', (_name, xml, why) => {
    expect(refuseXml(xml)).toMatch(why);
  });

  it('accepts ordinary SOAP, text that mentions markup included', () => {
    const ok = `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><r><v>&lt;!DOCTYPE x&gt; &amp;e; __proto__</v><v><![CDATA[<!ENTITY a "b">]]></v></r></soap:Body></soap:Envelope>`;
    expect(refuseXml(ok)).toBeUndefined();
  });
});

describe('refuseXml with { envelope: true } (an operation’s answer)', () => {
  const names = fc.constantFrom(
    'a',
    'html',
    'Body',
    'Header',
    'soap:Body',
    'x:Fault',
    'Envelope',
    'soap:Envelope',
    'env:Envelope',
  );
  /** A well-formed document from a tree of the names above, two levels deep at most. */
  const doc = fc
    .tuple(names, fc.array(fc.tuple(names, fc.array(names, { maxLength: 2 })), { maxLength: 3 }))
    .map(([root, kids]) => {
      const ns = (n: string) => (n.includes(':') ? ` xmlns:${n.split(':')[0]}="urn:${n.split(':')[0]}"` : '');
      const inner = kids.map(([k, gs]) => `<${k}${ns(k)}>${gs.map((g) => `<${g}${ns(g)}/>`).join('')}</${k}>`).join('');
      return { xml: `<${root}${ns(root)}>${inner}</${root}>`, root, kids: kids.map(([k]) => k) };
    });
  const local = (n: string) => n.slice(n.indexOf(':') + 1);

  it('accepts exactly the well-formed documents whose root is Envelope with a Body child', () => {
    fc.assert(
      fc.property(doc, ({ xml, root, kids }) => {
        expect(refuseXml(xml)).toBeUndefined();
        const isEnvelope = local(root) === 'Envelope' && kids.some((k) => local(k) === 'Body');
        expect(refuseXml(xml, { envelope: true }) === undefined).toBe(isEnvelope);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses nothing more than before when the document is refused anyway, and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const before = refuseXml(s);
        const now = refuseXml(s, { envelope: true });
        if (before !== undefined) expect(now).toBe(before);
        else if (/^[ \t\r\n]*$/.test(s)) expect(now).toMatch(/empty/);
      }),
      // A vertical tab is white space to JavaScript's trim, not to XML: it once read as "empty".
      { numRuns: 500, examples: [['\u000b'], ['\u00a0']] },
    );
  });

  it.each([
    ['nothing', '   ', /empty where a SOAP envelope was expected/],
    ['a root that is not Envelope', '<r><Body/></r>', /not a SOAP envelope \(its root element is "r"\)/],
    ['an envelope without a Body', '<e:Envelope xmlns:e="urn:e"><e:Header/></e:Envelope>', /no Body/],
    ['a Body deeper than the envelope’s children', '<Envelope><Header><Body/></Header></Envelope>', /no Body/],
  ])('refuses %s', (_name, xml, why) => {
    expect(refuseXml(xml, { envelope: true })).toMatch(why);
  });
});

describe('prepareMessage', () => {
  it('refuses keys that are not XML names and soap’s own keys, wherever they are', () => {
    for (const key of ['a b', '<x>', 'a>b', '$xml', '$value', '$attributes', '__proto__', '1abc', '', 'a:b:c']) {
      expect(() => prepareMessage({ user: { name: { [key]: 'v' } } }), key).toThrow(XmlValueError);
    }
    expect(prepareMessage({ 'tns:user': { 'x.y-z_1': 'v', ñame: 'é' } })).toEqual({ 'tns:user': { 'x.y-z_1': 'v', ñame: 'é' } });
  });

  it('refuses characters XML 1.0 cannot carry with the path, and non-finite numbers', () => {
    expect(() => prepareMessage({ user: { title: 'a\u0000' } })).toThrow(/user\.title contains U\+0000/);
    expect(() => prepareMessage({ list: ['ok', '\ud800'] })).toThrow(/list\[1\] contains U\+D800/);
    expect(() => prepareMessage({ n: Number.NaN })).toThrow(XmlValueError);
  });

  it('any JSON value of XML strings is kept or refused, never crashes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        try {
          prepareMessage({ root: v });
        } catch (e) {
          expect(e).toBeInstanceOf(XmlValueError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('request templates', () => {
  it('fills whole-string placeholders and nothing else, and leaves out what is absent', () => {
    const t = compileTemplate(
      {
        id: '$id',
        literal: '$$id',
        text: 'a $id b',
        user: '$record',
        one: '$record.name.givenName',
        clear: { attribute: '$clear' },
        list: ['$tenant'],
      },
      'modify',
      'x',
    );
    expect(
      t.fill({
        id: '$record',
        record: { name: { givenName: '$id' } },
        readKey: (r, k) => (k === 'name.givenName' ? (r.name as Record<string, unknown>).givenName : undefined),
      }),
    ).toEqual({
      id: '$record',
      literal: '$id',
      text: 'a $id b',
      user: { name: { givenName: '$id' } },
      one: '$id',
    });
  });

  it('rejects unknown and misplaced placeholders at startup', () => {
    expect(() => compileTemplate({ a: '$nope' }, 'get', 'operations.user.get.request')).toThrow(TemplateError);
    expect(() => compileTemplate({ a: '$record' }, 'get', 'operations.user.get.request')).toThrow(/can't be used here/);
    expect(() => compileTemplate({ a: '$id.x' }, 'get', 'operations.user.get.request')).toThrow(/only \$record takes a key/);
  });
});
