/**
 * Text for agents: attribute characteristics and `x-agent-schema` hints rendered into the
 * descriptions of tools and input properties.
 */
import type { ServedAttribute } from './discovery.js';

/** Longest hint text kept per attribute or schema (a runaway hint must not flood the tool list). */
const MAX_HINT_CHARS = 1000;

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  return JSON.stringify(v) ?? String(v);
}

/**
 * `x-agent-schema` hints as one line: `key: value` pairs, lists joined with commas.
 *
 * @example renderHints({ format: 'lower-case', examples: ['bjensen'] }) // 'format: lower-case; examples: bjensen'
 */
export function renderHints(hints: Record<string, unknown> | undefined): string {
  if (!hints) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(hints)) {
    if (value === undefined || value === null || value === '') continue;
    // `instructions` is prose meant to be read as it is.
    parts.push(key === 'instructions' ? valueText(value) : `${key}: ${valueText(value)}`);
  }
  const text = parts.join('; ');
  return text.length > MAX_HINT_CHARS ? `${text.slice(0, MAX_HINT_CHARS)}…` : text;
}

/** Examples an `x-agent-schema` hint offers (`examples: [...]` or `example: x`). */
export function hintExamples(hints: Record<string, unknown> | undefined): unknown[] | undefined {
  if (!hints) return undefined;
  if (Array.isArray(hints.examples)) return hints.examples.slice(0, 10);
  if (hints.example !== undefined) return [hints.example];
  return undefined;
}

/** The description of an input property for one attribute. */
export function describeAttribute(a: ServedAttribute, required: boolean): string {
  const parts: string[] = [];
  if (a.description) parts.push(a.description.trim().replace(/\.?$/, '.'));
  if (required) parts.push('Required.');
  if (a.uniqueness !== 'none') parts.push('Must be unique.');
  if (a.type === 'string' && a.caseExact) parts.push('Case-sensitive.');
  if (a.mutability === 'immutable') parts.push('Can be set only when the resource is created.');
  if (a.mutability === 'writeOnly' || a.returned === 'never') parts.push('Write-only: never returned.');
  if (a.type === 'dateTime') parts.push('ISO 8601 date and time, e.g. 2024-05-01T12:00:00Z.');
  if (a.type === 'binary') parts.push('Base64-encoded.');
  if (a.type === 'reference' && a.referenceTypes?.length) parts.push(`Reference to: ${a.referenceTypes.join(', ')}.`);
  if (a.canonicalValues?.length) parts.push(`Usual values: ${a.canonicalValues.join(', ')}.`);
  const hints = renderHints(a['x-agent-schema']);
  if (hints) parts.push(`Hints: ${hints}`);
  return parts.join(' ');
}

/**
 * Attribute paths an agent can filter and sort on: every attribute and sub-attribute that is
 * returned (not write-only), extension attributes with their schema URN in front.
 */
export function filterPaths(attributes: readonly ServedAttribute[], urn?: string): string[] {
  const out: string[] = [];
  const prefix = urn ? `${urn}:` : '';
  for (const a of attributes) {
    if (a.returned === 'never' || a.mutability === 'writeOnly') continue;
    if (a.type === 'complex' && a.subAttributes?.length) {
      for (const s of a.subAttributes) {
        if (s.returned !== 'never' && s.mutability !== 'writeOnly') out.push(`${prefix}${a.name}.${s.name}`);
      }
    } else out.push(`${prefix}${a.name}`);
  }
  return out;
}
