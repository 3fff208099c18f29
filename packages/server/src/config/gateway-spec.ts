/**
 * The `scimgateway` configuration section: the older product's shape (so its
 * users can migrate) plus a few additions, with defaults.
 */
import type { Spec } from './spec.js';

const str = (doc: string, extra: Partial<Extract<Spec, { kind: 'string' }>> = {}): Spec => ({ kind: 'string', doc, ...extra });
const nstr = (doc: string): Spec => ({ kind: 'string', nullable: true, doc });
const bool = (doc: string, d?: boolean): Spec => ({ kind: 'boolean', doc, ...(d === undefined ? {} : { default: d }) });
const int = (doc: string, extra: Partial<Extract<Spec, { kind: 'number' }>> = {}): Spec => ({
  kind: 'number',
  integer: true,
  doc,
  ...extra,
});
const strList = (doc: string): Spec => ({ kind: 'array', items: { kind: 'string' }, nullable: true, doc });

const scopes = {
  readOnly: bool('Only GET (and POST .search) allowed', false),
  baseEntities: strList('Tenants this credential may use; empty = all'),
};

const level = (d: string, withOff = true): Spec => ({
  kind: 'string',
  enum: withOff ? ['off', 'debug', 'info', 'warn', 'error'] : ['debug', 'info', 'warn', 'error'],
  default: d,
  doc: 'Log level',
});

/** Spec of the `scimgateway` section. */
export const gatewaySpec: Spec = {
  kind: 'object',
  required: ['port'],
  props: {
    port: int('TCP port', { min: 0, max: 65535 }),
    localhostonly: bool('Listen on 127.0.0.1 / ::1 only', false),
    chainingBaseUrl: nstr('Forward every request to this gateway (chain-proxy mode)'),
    idleTimeout: int('Seconds before an idle keep-alive connection is closed', { min: 1, default: 120 }),
    payloadSize: {
      kind: 'oneOf',
      of: [int('Bytes', { min: 1 }), str('Size like "1mb", "500kb"')],
      default: '1mb',
      doc: 'Largest accepted request body',
    },
    scim: {
      kind: 'object',
      props: {
        version: str('Protocol on unversioned paths', { enum: ['1.1', '2.0'], default: '2.0' }),
        skipTypeConvert: bool('Accepted for compatibility; connectors always receive the normalized change list', false),
        skipMetaLocation: bool('Omit meta.location', false),
        groupMemberOfUser: bool('Users carry their groups; group membership is managed through the user', false),
        usePutSoftSync: bool('PUT keeps attributes the body omits', false),
        groupPatchStatus: {
          kind: 'number',
          integer: true,
          min: 200,
          max: 204,
          default: 204,
          doc: 'Status of group PATCH: 204 or 200',
        },
        defaultPageSize: int('Page size when a client sends no count', { min: 1, default: 100 }),
        maxPageSize: int('Largest page (filter.maxResults)', { min: 1, default: 1000 }),
        customSchemas: nstr('JSON file with custom schemas and extensions, relative to the config directory'),
      },
    },
    log: {
      kind: 'object',
      props: {
        loglevel: {
          kind: 'object',
          props: { file: level('off'), console: level('off'), push: level('info', false) },
        },
        logDirectory: nstr('Directory of log files; default <base>/logs'),
        customMasking: strList('Extra attribute names to mask'),
        colorize: bool('Human-readable colored console output', true),
        maxSize: int('Rotate log file at this many MB', { min: 1, default: 20 }),
        maxFiles: int('Rotated files to keep', { min: 1, default: 5 }),
      },
    },
    auth: {
      kind: 'object',
      props: {
        basic: {
          kind: 'array',
          nullable: true,
          items: {
            kind: 'object',
            props: { username: nstr('User name'), password: nstr('Password or $scrypt$ hash'), ...scopes },
          },
        },
        bearerToken: {
          kind: 'array',
          nullable: true,
          items: {
            kind: 'object',
            props: { token: nstr('Shared secret'), name: nstr('Name of the principal in logs'), ...scopes },
          },
        },
        bearerJwt: {
          kind: 'array',
          nullable: true,
          items: {
            kind: 'object',
            props: {
              secret: nstr('HMAC secret'),
              publicKey: nstr('PEM file in config/certs or absolute'),
              wellKnownUri: nstr('OpenID discovery URL'),
              azureTenantId: nstr('Entra ID tenant for provisioning tokens'),
              options: { kind: 'object', open: true, props: {} },
              name: nstr('Name of the principal in logs when the token has no sub'),
              ...scopes,
            },
          },
        },
        bearerOAuth: {
          kind: 'array',
          nullable: true,
          items: { kind: 'object', props: { clientId: nstr('Client id'), clientSecret: nstr('Client secret'), ...scopes } },
        },
        passThrough: {
          kind: 'object',
          nullable: true,
          props: { enabled: bool('Forward Authorization to the connector', false), ...scopes },
        },
      },
    },
    certificate: {
      kind: 'object',
      nullable: true,
      props: {
        key: nstr('PEM private key file'),
        cert: nstr('PEM certificate file'),
        ca: { kind: 'oneOf', of: [nstr('CA file'), { kind: 'array', items: { kind: 'string' } }], doc: 'CA file(s)' },
        pfx: { kind: 'object', nullable: true, props: { bundle: nstr('PFX file'), password: nstr('PFX password') } },
      },
    },
    pfx: { kind: 'object', nullable: true, props: { bundle: nstr('PFX / PKCS#12 file'), password: nstr('PFX password') } },
    ipAllowList: strList('CIDRs allowed to connect'),
    trustedProxies: strList('CIDRs of proxies whose X-Forwarded-For is believed'),
    rateLimit: {
      kind: 'oneOf',
      doc: 'Failed-login limit per client address; false turns it off',
      of: [
        { kind: 'boolean', nullable: true, doc: 'false turns the limit off' },
        {
          kind: 'object',
          nullable: true,
          props: {
            maxFailures: int('Failed logins per window', { min: 1 }),
            windowSeconds: int('Window', { min: 1 }),
            maxTracked: int('Client addresses tracked at most', { min: 1 }),
          },
        },
      ],
    },
    email: {
      kind: 'object',
      nullable: true,
      props: {
        auth: {
          kind: 'object',
          props: { type: str('smtp or oauth', { enum: ['smtp', 'oauth'] }), options: { kind: 'object', open: true, props: {} } },
        },
        emailOnError: {
          kind: 'object',
          props: {
            enabled: bool('Send errors by mail', false),
            from: nstr('Sender'),
            to: { kind: 'oneOf', of: [nstr('Recipients, comma separated'), strList('Recipients')], doc: 'Recipients' },
            cc: {
              kind: 'oneOf',
              of: [nstr('Copy recipients, comma separated'), strList('Copy recipients')],
              doc: 'Copy recipients',
            },
            subject: nstr('Subject'),
            sendInterval: int('Minutes between mails', { min: 1, default: 15 }),
          },
        },
      },
    },
    bulk: {
      kind: 'object',
      props: {
        maxOperations: int('Operations per Bulk request; 0 disables Bulk', { min: 0, default: 1000 }),
        maxPayloadSize: int('Bytes per Bulk request', { min: 1, default: 10_485_760 }),
      },
    },
    azureRelay: { kind: 'object', nullable: true, open: true, props: { enabled: bool('Azure Relay listener', false) } },
    stream: { kind: 'object', nullable: true, open: true, props: {} },
    kubernetes: {
      kind: 'object',
      nullable: true,
      props: {
        enabled: bool('Accepted for compatibility', false),
        shutdownTimeout: int('Seconds to finish in-flight requests on SIGTERM', { min: 0, default: 15 }),
      },
    },
  },
};

/** Spec of a whole configuration file. */
export const configFileSpec: Spec = {
  kind: 'object',
  required: ['scimgateway'],
  props: {
    connector: str('Connector package name, e.g. @scimgw/connector-loki'),
    scimgateway: gatewaySpec,
    endpoint: { kind: 'object', open: true, props: {} },
  },
};
