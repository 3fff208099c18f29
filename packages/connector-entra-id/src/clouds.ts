/**
 * National clouds: the Microsoft identity platform host and the Microsoft Graph endpoint of each.
 *
 * @see https://learn.microsoft.com/graph/deployments
 */
import type { CloudName } from './config.js';

/** Where one cloud's identity platform and Graph live. */
export interface CloudEndpoints {
  /** e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost: string;
  /** Graph root without version, e.g. `https://graph.microsoft.com`. */
  readonly graphOrigin: string;
}

/** The documented endpoints of every national cloud. */
export const CLOUDS: Readonly<Record<CloudName, CloudEndpoints>> = {
  global: { authorityHost: 'https://login.microsoftonline.com', graphOrigin: 'https://graph.microsoft.com' },
  usgov: { authorityHost: 'https://login.microsoftonline.us', graphOrigin: 'https://graph.microsoft.us' },
  usgovDod: { authorityHost: 'https://login.microsoftonline.us', graphOrigin: 'https://dod-graph.microsoft.us' },
  china: { authorityHost: 'https://login.chinacloudapi.cn', graphOrigin: 'https://microsoftgraph.chinacloudapi.cn' },
};

/** Graph API version every request uses. */
export const GRAPH_VERSION = 'v1.0';
