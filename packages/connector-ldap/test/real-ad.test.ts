/**
 * Opt-in: the Active Directory suite (helpers/ad-suite.ts) against a REAL domain controller
 * (Windows Server AD, or any AD-compatible DC). Skipped unless the environment names one:
 *
 *   SCIMGW_AD_URL=ldaps://dc1.corp.example.com:636
 *   SCIMGW_AD_BIND_DN='CN=svc-scimgw-test,OU=Service Accounts,DC=corp,DC=example,DC=com'
 *   SCIMGW_AD_PASSWORD=…
 *   SCIMGW_AD_BASE='OU=Test,DC=corp,DC=example,DC=com'
 *   SCIMGW_AD_CA=certs/corp-root-ca.pem           (optional)
 *   SCIMGW_AD_UPN_SUFFIX=corp.example.com         (optional)
 *
 * The account must be able to create and delete OUs, users and groups under SCIMGW_AD_BASE, and to
 * reset passwords there. The suite works in an OU of its own under it (`OU=scimgw-test-<prefix>`),
 * names every object with a random prefix, and deletes the OU with all it holds at the end. Use a
 * test domain or a test OU.
 */
import { describeAdSuite } from './helpers/ad-suite.js';
import { adEnvironment, envTarget } from './helpers/ad-target.js';

describeAdSuite(
  'the documented Active Directory configuration against a real domain controller (opt-in)',
  adEnvironment() !== undefined,
  envTarget,
);
