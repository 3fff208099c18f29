/**
 * SOAP faults: read from what the `soap` package parsed (1.1 `faultcode`/`faultstring`/`detail`,
 * 1.2 `Code`/`Subcode`/`Reason`/`Detail`), and sorted into the categories the error table maps,
 * by the configured rules first and the built-in ones after.
 *
 * @see SOAP 1.1 §4.4 (Fault), SOAP 1.2 Part 1 §5.4 (Fault)
 */
import type { FaultRule } from './config.js';

/** How a fault reaches the SCIM client (see the table in errors.ts). */
export type FaultCategory = FaultRule['category'];

/** A fault as the connector reads it. */
export interface SoapFault {
  /** The fault code as sent (`soap:Client`, `SOAP-ENV:Sender`), for messages. */
  code: string;
  /** Local names of the code and subcodes, detail element names and short detail values. */
  codes: string[];
  /** `faultstring` / `Reason/Text`. */
  reason: string;
}

/** Rules applied after the configured ones. Credentials first: "authentication failed: no such user" is about the gateway. */
export const BUILT_IN_FAULT_RULES: readonly FaultRule[] = [
  { category: 'credentials', code: 'FailedAuthentication' },
  { category: 'credentials', code: 'AuthenticationFailure' },
  { category: 'credentials', code: 'InvalidSecurity' },
  { category: 'credentials', code: 'FailedCheck' },
  { category: 'credentials', code: 'SecurityTokenUnavailable' },
  { category: 'notFound', code: 'NotFound' },
  { category: 'notFound', code: 'NoSuch' },
  { category: 'notFound', reason: 'not found' },
  { category: 'notFound', reason: 'does not exist' },
  { category: 'notFound', reason: 'no such' },
  { category: 'duplicate', code: 'Duplicate' },
  { category: 'duplicate', code: 'AlreadyExists' },
  { category: 'duplicate', code: 'NotUnique' },
  { category: 'duplicate', reason: 'already exists' },
  { category: 'duplicate', reason: 'duplicate' },
  { category: 'validation', code: 'Invalid' },
  { category: 'validation', code: 'Validation' },
  { category: 'validation', code: 'Client' },
  { category: 'validation', code: 'Sender' },
];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of a parsed element: a string, a number, or `{ $value }` when it had attributes. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (isRecord(v) && '$value' in v) return text(v.$value);
  return undefined;
}

function localName(qname: string): string {
  const i = qname.lastIndexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** Element names and short text values under a fault detail, a few levels deep. */
function detailCodes(v: unknown, out: string[], depth = 0): void {
  if (depth > 3 || out.length > 50) return;
  const t = typeof v === 'string' ? v : undefined;
  if (t !== undefined) {
    if (t.length <= 64) out.push(t);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v.slice(0, 10)) detailCodes(x, out, depth + 1);
    return;
  }
  if (!isRecord(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    out.push(localName(k));
    detailCodes(x, out, depth + 1);
  }
}

/** The fault a `soap` call failed with, or `undefined` when the failure was not a SOAP fault. */
export function faultOf(err: unknown): SoapFault | undefined {
  const root = isRecord(err) ? (err as { root?: unknown }).root : undefined;
  const envelope = isRecord(root) ? root.Envelope : undefined;
  const body = isRecord(envelope) ? envelope.Body : undefined;
  const fault = isRecord(body) ? body.Fault : undefined;
  if (!isRecord(fault)) return undefined;
  const codes: string[] = [];
  let code = text(fault.faultcode);
  if (code !== undefined) codes.push(localName(code));
  // SOAP 1.2: Code/Value with nested Subcode/Value.
  let c: unknown = fault.Code;
  for (let depth = 0; isRecord(c) && depth < 5; depth++) {
    const value = text(c.Value);
    if (value !== undefined) {
      codes.push(localName(value));
      code ??= value;
    }
    c = c.Subcode;
  }
  const reasonNode = isRecord(fault.Reason) ? fault.Reason.Text : fault.Reason;
  const reason = text(fault.faultstring) ?? text(reasonNode) ?? '';
  detailCodes(fault.detail ?? fault.Detail, codes);
  return { code: code ?? '', codes, reason };
}

const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** True when `rule` matches `fault`. Codes compare without case and punctuation (`USER_NOT_FOUND` has `NotFound`). */
export function ruleMatches(rule: FaultRule, fault: SoapFault): boolean {
  if (rule.code !== undefined) {
    const want = squash(rule.code);
    if (want !== '' && fault.codes.some((c) => squash(c).includes(want))) return true;
  }
  if (rule.reason !== undefined && fault.reason.toLowerCase().includes(rule.reason.toLowerCase())) return true;
  return false;
}

/** The category of a fault: the first matching rule of `rules`, then of the built-in rules; else `other`. */
export function classifyFault(fault: SoapFault, rules: readonly FaultRule[]): FaultCategory {
  for (const r of rules) if (ruleMatches(r, fault)) return r.category;
  for (const r of BUILT_IN_FAULT_RULES) if (ruleMatches(r, fault)) return r.category;
  return 'other';
}
