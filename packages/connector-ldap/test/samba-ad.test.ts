/**
 * The Active Directory suite (helpers/ad-suite.ts) against a Samba AD domain controller started
 * here (helpers/samba.ts): a real AD-compatible server, provisioned in a temp directory. The suite
 * works in an OU of its own made for the run, as it does on a real DC (real-ad.test.ts), and
 * deletes it at the end.
 */
import { describeAdSuite } from './helpers/ad-suite.js';
import { sambaTarget } from './helpers/ad-target.js';
import { HAVE_SAMBA, startSambaDc } from './helpers/samba.js';

describeAdSuite('the documented Active Directory configuration against a Samba AD domain controller', HAVE_SAMBA, async () =>
  sambaTarget(await startSambaDc()),
);
