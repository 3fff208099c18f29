/**
 * The configuration reference and the validator agree: every key the reference documents is
 * accepted, and every key the validator accepts is documented. Both lists are derived, one from the
 * spec, the other from the tables of docs/reference/configuration.md.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, type ConfigError, configFileSpec } from '../src/index.js';
import type { Spec } from '../src/config/spec.js';

/** Every path the spec knows, and which of them must be documented (values and open objects). */
function specPaths(spec: Spec, path: string, all: Set<string>, leaves: Set<string>): void {
  if (path) all.add(path);
  switch (spec.kind) {
    case 'object':
      if (spec.open && path) leaves.add(path);
      for (const [k, s] of Object.entries(spec.props)) specPaths(s, path ? `${path}.${k}` : k, all, leaves);
      return;
    case 'array':
      if (spec.items.kind === 'object') specPaths(spec.items, `${path}[]`, all, leaves);
      else leaves.add(path);
      return;
    case 'oneOf':
      leaves.add(path);
      for (const s of spec.of)
        if (s.kind === 'object') for (const [k, sub] of Object.entries(s.props)) specPaths(sub, `${path}.${k}`, all, leaves);
      return;
    default:
      leaves.add(path);
  }
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
  specPaths(configFileSpec, '', all, leaves);
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

  it('accepts a file that sets every documented key (by the spec, each with a value of its type)', () => {
    // A value for each leaf, built from the spec, fed back through the validator: no unknown key.
    const errors: ConfigError[] = [];
    const sample = sampleFor(configFileSpec) as { scimgateway: Record<string, unknown> };
    check(sample, configFileSpec, '', errors);
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});

/** A value of the right type for every key of a spec (first alternative of a oneOf). */
function sampleFor(spec: Spec): unknown {
  switch (spec.kind) {
    case 'object':
      return Object.fromEntries(Object.entries(spec.props).map(([k, s]) => [k, sampleFor(s)]));
    case 'array':
      return [sampleFor(spec.items)];
    case 'oneOf':
      return sampleFor(spec.of[spec.of.length - 1] as Spec);
    case 'string':
      return spec.enum?.[0] ?? 'x';
    case 'number':
      return spec.min ?? 1;
    case 'boolean':
      return false;
    default:
      return {};
  }
}
