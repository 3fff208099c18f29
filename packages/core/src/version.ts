/**
 * Version of this core — the Connector contract a connector's `coreVersion`
 * range is checked against. Injected from package.json at build time, so it
 * always matches the published version (changesets bump package.json only).
 */
declare const __SCIMGW_CORE_VERSION__: string;
export const CORE_VERSION: string = __SCIMGW_CORE_VERSION__;
