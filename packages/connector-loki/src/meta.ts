/** `meta` helpers shared by the user and group operations. */

/** Current time as an RFC 3339 string. */
export const now = (): string => new Date().toISOString();

/** A fresh weak ETag for every write, so the core never has to hash a resource (big groups). */
export const newVersion = (): string => `W/"${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}"`;
