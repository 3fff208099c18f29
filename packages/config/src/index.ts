/**
 * @scimgw/config: configuration sections for scimgw packages. A section is a zod schema that
 * validates with JSON paths and did-you-mean, and publishes a JSON Schema for editors.
 *
 * @packageDocumentation
 */
export { configSection, formatConfigPath } from './section.js';
export type { ConfigSectionOptions } from './section.js';
export { didYouMean, keysAt } from './suggest.js';
export { JsonSyntaxError, lineAndColumn, parseJsonText } from './json-file.js';
export { BodyTooLargeError, readBoundedBytes, readBoundedText } from './bounded-body.js';
/** zod 4, the schema library sections are written with (one copy for every package). */
export { z } from 'zod';
