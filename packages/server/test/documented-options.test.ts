/**
 * The configuration reference and the validator agree: every key the reference documents is
 * accepted, and every key the validator accepts is documented. Both lists are derived, one from the
 * spec, the other from the tables of docs/reference/configuration.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFileJsonSchema, loadConfig } from '../src/index.js';

type Node = Record<string, unknown>;

/**
 * Every path the published JSON Schema knows, and which of them must be documented: values and
 * open objects (an object with declared properties is documented through them).
 */
function schemaPaths(node: Node, path: string, all: Set<string>, leaves: Set<string>): void {
  if (path) all.add(path);
  const alternatives = flatten(node);
  let structured = false;
  for (const alt of alternatives) {
    const props = alt.properties as Record<string, Node> | undefined;
    if (props) {
      structured = true;
      for (const [k, sub] of Object.entries(props)) schemaPaths(sub, path ? `${path}.${k}` : k, all, leaves);
      if (alt.additionalProperties !== false && path) leaves.add(path);
    }
    // A map keyed by tenant (`stream.publisher.entity`): its entries are documented as `<baseEntity>`.
    const entry = alt.additionalProperties as Node | boolean | undefined;
    if (!props && typeof entry === 'object' && flatten(entry).some((a) => a.properties)) {
      structured = true;
      schemaPaths(entry, `${path}.<baseEntity>`, all, leaves);
    }
    const items = alt.items as Node | undefined;
    if (alt.type === 'array' && items?.properties) {
      structured = true;
      schemaPaths(items, `${path}[]`, all, leaves);
    }
  }
  if (!structured && path) leaves.add(path);
  // A union of a value and an object (rateLimit: false or { … }) documents the value too.
  if (structured && alternatives.some((a) => a.type === 'boolean')) leaves.add(path);
}

/** A node and the alternatives of its (nested) unions. */
function flatten(node: Node): Node[] {
  return [node, ...(((node.anyOf ?? node.oneOf) as Node[] | undefined) ?? []).flatMap(flatten)];
}

/** Keys in the first column of the reference's tables, made absolute by the section they are in. */
function documentedPaths(markdown: string): Set<string> {
  const out = new Set<string>();
  let prefix: string | undefined;
  for (const line of markdown.split('\n')) {
    const h2 = /^## (.*)$/.exec(line);
    if (h2) prefix = h2[1] === 'Top level' ? '' : h2[1] === '`scimgateway`' ? 'scimgateway.' : undefined;
    if (prefix === undefined || !line.startsWith('| `')) continue;
    const first = line.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([^`]+)`/g)) out.add(`${prefix}${m[1]}`);
  }
  return out;
}

const markdown = readFileSync(new URL('../../../docs/reference/configuration.md', import.meta.url), 'utf8');

describe('docs/reference/configuration.md and the validator', () => {
  const all = new Set<string>();
  const leaves = new Set<string>();
  const schema = configFileJsonSchema();
  for (const [k, sub] of Object.entries(schema.properties as Record<string, Node>))
    if (k !== '$schema') schemaPaths(sub, k, all, leaves);
  const documented = documentedPaths(markdown);

  it('finds what it compares (the derivations are not empty)', () => {
    expect(leaves.size).toBeGreaterThan(60);
    expect(documented.size).toBeGreaterThan(60);
  });

  it('documents every key the validator accepts', () => {
    expect([...leaves].filter((p) => !documented.has(p))).toEqual([]);
  });

  it('accepts every key it documents', () => {
    expect([...documented].filter((p) => !all.has(p))).toEqual([]);
  });

  it('accepts a file that sets every documented key, each with a value of its type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'documented-'));
    try {
      const sample = sampleFor(schema) as Record<string, unknown>;
      delete sample.$schema;
      const file = join(dir, 'connector-x.json');
      writeFileSync(file, JSON.stringify(sample));
      expect(() => loadConfig(file, { env: { SEED: 'documented' }, encryptInPlace: false })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A value of the right type for every key of a JSON Schema (the last object-like alternative of a union). */
function sampleFor(node: Node): unknown {
  if (node.anyOf ?? node.oneOf) {
    // Not a reference (a string matching the pattern), not null: a real value of the option's type.
    const real = flatten(node).filter((a) => a.type !== undefined && a.type !== 'null' && a.pattern === undefined);
    const pick = real.find((a) => a.properties || a.type === 'array') ?? real[0] ?? node;
    return sampleFor({ ...pick, anyOf: undefined, oneOf: undefined });
  }
  if (Array.isArray(node.type)) return sampleFor({ ...node, type: node.type.find((t) => t !== 'null') });
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum)) return node.enum[0];
  switch (node.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries((node.properties as Record<string, Node>) ?? {}).map(([k, s]) => [k, sampleFor(s)]),
      );
    case 'array':
      return node.items ? [sampleFor(node.items as Node)] : [];
    case 'string':
      return 'x';
    case 'integer':
    case 'number':
      return Math.max(1, Number(node.minimum ?? 1));
    case 'boolean':
      return false;
    default:
      return null;
  }
}
