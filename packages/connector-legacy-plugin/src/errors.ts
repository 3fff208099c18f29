/**
 * Errors thrown the older plugin API's way, translated into SCIM errors through one table.
 *
 * That API said what went wrong in three places: a `#<status>` suffix on `err.name`
 * (`err.name += '#409'`), a SCIM `scimType` as `err.name` (`'invalidFilter'`), and a JSON object
 * with `statusCode` inside the message (what its REST helper threw). Anything else was a 500.
 */
import { errors } from '@scimgw/core';

type ScimType = errors.ScimType;
const { ScimError } = errors;

const SCIM_TYPES: ReadonlySet<string> = new Set([
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
]);

/** Statuses a message's embedded `statusCode` is believed for (the older gateway passed these through). */
const PASSED_THROUGH = new Set([401, 403, 404, 409]);

function embeddedStatus(message: string): number | undefined {
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const parsed = JSON.parse(message.slice(start, end + 1)) as { statusCode?: unknown };
    const code = Number(parsed?.statusCode);
    return PASSED_THROUGH.has(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Status and scimType the older API's conventions give `err`; `undefined` when it names none (→ opaque 500). */
export function legacyErrorStatus(err: unknown): { status: number; scimType?: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const name = typeof err.name === 'string' ? err.name : '';
  const parts = name.split('#');
  const last = parts.length > 1 ? Number(parts[parts.length - 1]) : Number.NaN;
  const prefix = parts.length > 1 ? parts.slice(0, -1).join('#') : name;
  const scimType = SCIM_TYPES.has(prefix) ? prefix : undefined;
  if (Number.isInteger(last) && last >= 300 && last <= 599) {
    return { status: last, ...(last === 409 ? { scimType: 'uniqueness' } : scimType ? { scimType } : {}) };
  }
  if (scimType) return { status: 400, scimType };
  const embedded = embeddedStatus(typeof err.message === 'string' ? err.message : '');
  if (embedded) return { status: embedded, ...(embedded === 409 ? { scimType: 'uniqueness' } : {}) };
  return undefined;
}

/**
 * The message prefixed with the plugin method's name, unless the plugin already began it with
 * that name (`createUser: user jdoe already exists`, `createUser error: …`).
 */
function withAction(action: string, message: unknown): string {
  const text = typeof message === 'string' && message !== '' ? message : 'failed';
  const head = text.slice(0, action.length);
  const next = text.charAt(action.length);
  if (head.toLowerCase() === action.toLowerCase() && !/[\w$]/.test(next)) return text;
  return `${action}: ${text}`;
}

/**
 * Turns whatever a plugin threw into what the core answers with: a `ScimError` for the statuses
 * the plugin named, otherwise the error itself (the core answers an opaque 500 and logs nothing
 * of it to the client).
 */
export function toScimError(err: unknown, action: string): unknown {
  if (err instanceof ScimError) return err;
  const mapped = legacyErrorStatus(err);
  if (!mapped) return err;
  const detail = withAction(action, (err as Error).message);
  switch (mapped.status) {
    case 404:
      return new errors.NotFoundError(detail);
    case 409:
      return new errors.UniquenessError(detail);
    case 412:
      return new errors.PreconditionFailedError(detail);
    case 401:
      return new errors.UnauthorizedError(detail);
    case 403:
      return new errors.ForbiddenError(detail);
    case 400:
      if (mapped.scimType === 'invalidFilter') return new errors.InvalidFilterError(detail);
      return new ScimError(400, detail, (mapped.scimType ?? 'invalidValue') as ScimType);
    default:
      return new ScimError(mapped.status, detail, mapped.scimType as ScimType | undefined);
  }
}
