import { connectorContractCases, idpReplayCases, testContext } from '@scimgw/core/testkit';
import { describe, expect, it } from 'vitest';
import { configSchema, createConnector } from '../src/index.js';

describe('{{name}} passes the scimgw Connector contract kit', () => {
  for (const c of connectorContractCases({ connector: () => createConnector(testContext({ exampleData: false })) })) {
    it(c.name, c.run);
  }
});

describe("{{name}} under real identity providers' traffic (Entra ID, Okta, OneLogin, Google, Broadcom, JumpCloud, One Identity, AWS, SailPoint)", () => {
  for (const c of idpReplayCases({ connector: () => createConnector(testContext({ exampleData: false })) })) {
    it(c.name, c.run);
  }
});

describe('its endpoint section', () => {
  it('is validated with paths and did-you-mean', () => {
    expect(configSchema.validate({})).toEqual({ ok: true, value: { exampleData: false } });
    const bad = configSchema.validate({ exampleDta: true });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.issues[0]?.message).toMatch(/did you mean "exampleData"/);
  });
});
