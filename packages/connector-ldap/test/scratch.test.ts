import { it, expect } from 'vitest';
import { scim, enc } from './helpers/config.js';
import { startSlapd } from './helpers/slapd.js';
import { populationLdif } from './helpers/population.js';
it('scratch', async () => {
  const s = await startSlapd({ sssvlv: true, sizeLimit: 500, preload: populationLdif({ users: 4200, groups: 20, bigGroup: 1000, memberOf: true }) });
  try {
    const env = scim(s, { poolSize: 4 });
    const t0 = performance.now();
    const r = await env.call('GET', '/Users?startIndex=4001&count=100');
    console.log(r.status, r.body.totalResults, r.body.Resources?.length, r.body.Resources?.[0]?.userName, performance.now() - t0);
    const res = await Promise.all(Array.from({ length: 50 }, (_, i) => env.call('GET', `/Users?startIndex=${1 + ((i * 397) % 4100)}&count=100`)));
    console.log(res.map((x) => x.status).join(','), env.connector.tenant().windows.stats);
    const g = await env.call('GET', `/Groups?filter=${enc('displayName eq "big"')}`);
    const gid = g.body.Resources?.[0]?.id as string;
    const t1 = performance.now();
    const big = await env.call('GET', `/Groups/${gid}`);
    console.log(big.status, big.body.members?.length, performance.now() - t1);
    const env2 = scim(s, { vlv: false });
    const res2 = await Promise.all(Array.from({ length: 50 }, (_, i) => env2.call('GET', `/Users?startIndex=${1 + ((i * 397) % 4100)}&count=100`)));
    console.log(res2.map((x) => x.status).join(','), env2.connector.tenant().windows.stats);
    const res3 = await Promise.all(Array.from({ length: 8 }, (_, i) => env2.call('GET', `/Users?sortBy=userName&startIndex=${4000 - i}&count=10`)));
    console.log(res3.map((x) => x.status).join(','), res3[0]?.body.Resources?.[0]?.userName);
    await env.connector.close?.(); await env2.connector.close?.();
  } finally { await s.destroy(); }
}, 120_000);
