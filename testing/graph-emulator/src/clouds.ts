/**
 * National clouds: the host names a client uses for the Microsoft identity platform and for
 * Microsoft Graph in each, and the Graph resource (token audience) of each Graph host.
 * Each enabled cloud gets its own listener, so tokens of one cloud are refused by another.
 */

/** Clouds the emulator can serve. */
export type CloudName = 'global' | 'usgov' | 'china';

/** A cloud's public host names. */
export interface CloudDefinition {
  readonly name: CloudName;
  /** Identity platform hosts; the first is the canonical one (issuer host). */
  readonly loginHosts: readonly string[];
  /** Graph hosts, each with its resource identifier. */
  readonly graphHosts: ReadonlyArray<{ readonly host: string; readonly resource: string }>;
  /** Issuer host of v1.0 access tokens (`https://<host>/<tenant>/`). */
  readonly stsHost: string;
}

/** The clouds' documented endpoints. */
export const CLOUDS: Readonly<Record<CloudName, CloudDefinition>> = {
  global: {
    name: 'global',
    loginHosts: ['login.microsoftonline.com', 'login.microsoft.com', 'login.windows.net', 'sts.windows.net'],
    graphHosts: [{ host: 'graph.microsoft.com', resource: 'https://graph.microsoft.com' }],
    stsHost: 'sts.windows.net',
  },
  usgov: {
    name: 'usgov',
    loginHosts: ['login.microsoftonline.us'],
    graphHosts: [
      { host: 'graph.microsoft.us', resource: 'https://graph.microsoft.us' },
      { host: 'dod-graph.microsoft.us', resource: 'https://dod-graph.microsoft.us' },
    ],
    stsHost: 'login.microsoftonline.us',
  },
  china: {
    name: 'china',
    loginHosts: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
    graphHosts: [{ host: 'microsoftgraph.chinacloudapi.cn', resource: 'https://microsoftgraph.chinacloudapi.cn' }],
    stsHost: 'sts.chinacloudapi.cn',
  },
};

/** The Graph application id, accepted as an audience too. */
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Every public host name of every cloud (certificate SANs, host mapping). */
export function allCloudHosts(): string[] {
  return Object.values(CLOUDS).flatMap((c) => [...c.loginHosts, ...c.graphHosts.map((g) => g.host)]);
}

/** The Graph resource a scope such as `https://graph.microsoft.com/.default` names, if it is one of `cloud`'s. */
export function graphResourceOf(cloud: CloudDefinition, resource: string): string | undefined {
  const trimmed = resource.replace(/\/+$/, '').toLowerCase();
  if (trimmed === GRAPH_APP_ID) return cloud.graphHosts[0]?.resource;
  return cloud.graphHosts.find((g) => g.resource === trimmed)?.resource;
}
