import { attribute, childrenNamed, isElement, onlyChild, SAML_NS, text } from './xml.js';

/** The audience SuccessFactors requires in `AudienceRestriction/Audience`. */
export const SUCCESSFACTORS_AUDIENCE = 'www.successfactors.com';
/** The bearer subject confirmation method (SAML Profiles §3.3). */
export const BEARER_METHOD = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What the token endpoint needs to judge an assertion's claims. */
export interface ClaimsContext {
  readonly companyId: string;
  /** The `client_id` of the request. */
  readonly apiKey: string;
  readonly tokenUrl: string;
  /** Milliseconds. */
  readonly now: number;
  readonly clockSkewSeconds: number;
  readonly hasUser: (userId: string) => boolean;
}

/** The claims accepted, or the description of the first one refused. */
export type ClaimsOutcome = { readonly ok: true; readonly userId: string } | { readonly ok: false; readonly reason: string };

/** xs:dateTime in UTC, as SAML Core §1.3.3 requires of SAML time values. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

/** A SAML time value in milliseconds, or `undefined` if it is not one. */
export function samlTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = DATE_TIME.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const check = new Date(ms);
  // Date.UTC rolls 2024-02-30 over into March; a real date maps back onto its own fields.
  if (check.getUTCDate() !== Number(day) || check.getUTCMonth() !== Number(month) - 1 || Number(hour) > 23) return undefined;
  return ms + (fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0);
}

/**
 * Checks the claims of a signed assertion, in this order: Version and IssueInstant, Issuer,
 * Subject/NameID (a user of the company), the bearer SubjectConfirmation (Recipient = token URL,
 * NotOnOrAfter after now), Conditions (NotBefore and NotOnOrAfter with the clock skew allowance),
 * AudienceRestriction (www.successfactors.com) and the `api_key` attribute (= `client_id`).
 */
export function checkClaims(assertion: Element, ctx: ClaimsContext): ClaimsOutcome {
  const refuse = (reason: string): ClaimsOutcome => ({ ok: false, reason: `Invalid SAML assertion: ${reason}` });
  const skew = ctx.clockSkewSeconds * 1000;

  if (attribute(assertion, 'Version') !== '2.0') return refuse('Version must be "2.0"');
  if (samlTime(attribute(assertion, 'IssueInstant')) === undefined) return refuse('IssueInstant missing or not a UTC dateTime');

  const issuer = onlyChild(assertion, SAML_NS, 'Issuer');
  if (!issuer || text(issuer) === '') return refuse('Issuer missing');

  const subject = onlyChild(assertion, SAML_NS, 'Subject');
  if (!subject) return refuse('Subject missing');
  const nameId = onlyChild(subject, SAML_NS, 'NameID');
  if (!nameId || text(nameId) === '') return refuse('Subject/NameID missing');
  const userId = text(nameId);
  if (!ctx.hasUser(userId)) {
    return {
      ok: false,
      reason: `user ${JSON.stringify(userId.slice(0, 80))} not found in company ${JSON.stringify(ctx.companyId)}`,
    };
  }

  const confirmations = childrenNamed(subject, SAML_NS, 'SubjectConfirmation').filter(
    (confirmation) => attribute(confirmation, 'Method') === BEARER_METHOD,
  );
  if (confirmations.length === 0) return refuse(`Subject/SubjectConfirmation with Method ${BEARER_METHOD} missing`);
  const data = confirmations
    .map((confirmation) => onlyChild(confirmation, SAML_NS, 'SubjectConfirmationData'))
    .filter((element): element is Element => element !== undefined);
  if (data.length === 0) return refuse('SubjectConfirmation/SubjectConfirmationData missing');
  const recipients = data.filter((element) => attribute(element, 'Recipient') === ctx.tokenUrl);
  if (recipients.length === 0) return refuse(`SubjectConfirmationData Recipient must be the token URL ${ctx.tokenUrl}`);
  const current = recipients.filter((element) => {
    const notOnOrAfter = samlTime(attribute(element, 'NotOnOrAfter'));
    return notOnOrAfter !== undefined && notOnOrAfter > ctx.now;
  });
  if (current.length === 0) return refuse('SubjectConfirmationData NotOnOrAfter missing or not in the future');

  const conditions = onlyChild(assertion, SAML_NS, 'Conditions');
  if (!conditions) return refuse('Conditions missing');
  const notBeforeText = attribute(conditions, 'NotBefore');
  if (notBeforeText !== undefined) {
    const notBefore = samlTime(notBeforeText);
    if (notBefore === undefined || notBefore > ctx.now + skew) return refuse('Conditions NotBefore is in the future');
  }
  const notOnOrAfter = samlTime(attribute(conditions, 'NotOnOrAfter'));
  if (notOnOrAfter === undefined || notOnOrAfter <= ctx.now - skew) {
    return refuse('Conditions NotOnOrAfter missing or passed: the assertion has expired');
  }
  const restrictions = childrenNamed(conditions, SAML_NS, 'AudienceRestriction');
  const audienceOk =
    restrictions.length > 0 &&
    restrictions.every((restriction) =>
      childrenNamed(restriction, SAML_NS, 'Audience').some((audience) => text(audience) === SUCCESSFACTORS_AUDIENCE),
    );
  if (!audienceOk) return refuse(`Conditions/AudienceRestriction/Audience must be ${SUCCESSFACTORS_AUDIENCE}`);

  const apiKeys = childrenNamed(assertion, SAML_NS, 'AttributeStatement')
    .flatMap((statement) => childrenNamed(statement, SAML_NS, 'Attribute'))
    .filter((element) => attribute(element, 'Name') === 'api_key')
    .flatMap((element) => childrenNamed(element, SAML_NS, 'AttributeValue'));
  if (apiKeys.length !== 1 || !isElement(apiKeys[0], SAML_NS, 'AttributeValue')) {
    return refuse('AttributeStatement/Attribute Name="api_key" with one AttributeValue missing');
  }
  if (text(apiKeys[0]) !== ctx.apiKey) return refuse('the api_key attribute does not match client_id');

  return { ok: true, userId };
}
