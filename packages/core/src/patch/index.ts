/**
 * @scimgw/core/patch: applying the core's normalized change lists to documents, for connectors that
 * store whole resources (document stores), and the PATCH path grammar.
 *
 * @packageDocumentation
 */
export { applyChanges } from './apply.js';
export type { ApplyContext, ApplyResult } from './apply.js';
export { parsePatchPath } from './path.js';
export type { PatchPath } from './path.js';
export { patchToChanges } from './normalize.js';
export type { PatchOptions, PatchQuirk } from './normalize.js';
