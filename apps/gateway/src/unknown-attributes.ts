/** The warning for attributes the `unknownAttributes: "ignore"` policy leaves out of writes. */
import type { ScimRequest } from '@scimgw/core/handler';

/** How many distinct names are remembered; past it the warnings stop (names come from clients). */
const MAX_NAMES = 1000;

/**
 * An `onUnknownAttribute` callback that logs one warning per attribute name for the life of the
 * process, so an IdP sending an unmapped attribute on every user does not fill the log.
 */
export function warnOncePerName(logger: {
  warn: (obj: object, msg: string) => void;
}): (path: string, request: ScimRequest) => void {
  const seen = new Set<string>();
  return (path, request) => {
    const key = path.toLowerCase();
    if (seen.has(key) || seen.size >= MAX_NAMES) return;
    seen.add(key);
    logger.warn(
      { attribute: path, reqId: request.context?.requestId },
      'attribute not defined by the served schemas left out of the write (scim.unknownAttributes: "ignore"; later ones of this name are not logged)',
    );
  };
}
