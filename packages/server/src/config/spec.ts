/**
 * A small declarative validator for configuration: every error names the
 * JSON path of the offending value, and defaults are filled in.
 */

export type Spec =
  | { kind: 'string'; nullable?: boolean; enum?: readonly string[]; default?: string | null; doc?: string }
  | { kind: 'number'; integer?: boolean; min?: number; max?: number; nullable?: boolean; default?: number | null; doc?: string }
  | { kind: 'boolean'; nullable?: boolean; default?: boolean; doc?: string }
  | {
      kind: 'object';
      props: Record<string, Spec>;
      required?: readonly string[];
      open?: boolean;
      nullable?: boolean;
      doc?: string;
    }
  | { kind: 'array'; items: Spec; nullable?: boolean; default?: unknown[]; doc?: string }
  | { kind: 'oneOf'; of: readonly Spec[]; doc?: string; default?: unknown }
  | { kind: 'any'; doc?: string };

/** A configuration problem, with the JSON path it concerns. */
export class ConfigError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${path}: ${problem}`);
    this.name = 'ConfigError';
  }
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Builds `a.b[0].c` paths. */
export const joinPath = (base: string, key: string | number) =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

/**
 * Validates `value` against `spec`, returning a copy with defaults applied.
 * Collects every problem (not just the first) into `errors`.
 */
export function check(value: unknown, spec: Spec, path: string, errors: ConfigError[]): unknown {
  if (spec.kind === 'any') return value;
  if (value === undefined) {
    if ('default' in spec && spec.default !== undefined) return structuredClone(spec.default);
    if (spec.kind === 'object') return check({}, spec, path, errors);
    return undefined;
  }
  if (value === null) {
    if ('nullable' in spec && spec.nullable) return null;
    if (spec.kind === 'oneOf' && spec.of.some((s) => 'nullable' in s && s.nullable)) return null;
    errors.push(new ConfigError(path, `must not be null`));
    return undefined;
  }
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string') errors.push(new ConfigError(path, `expected a string, got ${typeName(value)}`));
      else if (spec.enum && !spec.enum.includes(value)) {
        errors.push(
          new ConfigError(
            path,
            `must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}`,
          ),
        );
      }
      return value;
    case 'number': {
      if (typeof value !== 'number' || Number.isNaN(value)) {
        errors.push(new ConfigError(path, `expected a number, got ${typeName(value)}`));
        return value;
      }
      if (spec.integer && !Number.isInteger(value)) errors.push(new ConfigError(path, `expected an integer, got ${value}`));
      if (spec.min !== undefined && value < spec.min)
        errors.push(new ConfigError(path, `must be at least ${spec.min}, got ${value}`));
      if (spec.max !== undefined && value > spec.max)
        errors.push(new ConfigError(path, `must be at most ${spec.max}, got ${value}`));
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(new ConfigError(path, `expected true or false, got ${typeName(value)}`));
      return value;
    case 'array': {
      if (!Array.isArray(value)) {
        errors.push(new ConfigError(path, `expected an array, got ${typeName(value)}`));
        return value;
      }
      return value.map((v, i) => check(v, spec.items, joinPath(path, i), errors));
    }
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        errors.push(new ConfigError(path, `expected an object, got ${typeName(value)}`));
        return value;
      }
      const obj = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        const sub = spec.props[k];
        if (!sub) {
          if (spec.open) out[k] = v;
          else {
            const known = Object.keys(spec.props);
            const near = known.find((n) => n.toLowerCase() === k.toLowerCase());
            errors.push(
              new ConfigError(
                joinPath(path, k),
                `unknown key${near ? ` (did you mean "${near}"?)` : ''}; known keys: ${known.join(', ')}`,
              ),
            );
          }
          continue;
        }
        out[k] = check(v, sub, joinPath(path, k), errors);
      }
      for (const [k, sub] of Object.entries(spec.props)) {
        if (!(k in obj)) {
          const d = check(undefined, sub, joinPath(path, k), errors);
          if (d !== undefined) out[k] = d;
        }
      }
      for (const r of spec.required ?? []) {
        if (obj[r] === undefined) errors.push(new ConfigError(joinPath(path, r), 'is required'));
      }
      return out;
    }
    case 'oneOf': {
      for (const s of spec.of) {
        const errs: ConfigError[] = [];
        const v = check(value, s, path, errs);
        if (errs.length === 0) return v;
      }
      errors.push(new ConfigError(path, `has an unsupported form (${typeName(value)})`));
      return value;
    }
  }
}
