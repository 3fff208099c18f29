/**
 * LDIF for a populated test directory, loaded offline with slapadd: users
 * `user00001…` under ou=people, groups `group000…` with every user in one of
 * them, and `cn=big` holding the first `bigGroup` users. slapadd runs no
 * overlays, so the users carry `memberOf` themselves, as the memberof overlay
 * would have written it.
 */
import { GROUPS, PEOPLE } from './slapd.js';

/** Options of {@link populationLdif}. */
export interface Population {
  users: number;
  groups: number;
  /** Members of `cn=big` (the first N users). */
  bigGroup: number;
  /** Write `memberOf` values (the directory runs the memberof overlay). */
  memberOf: boolean;
}

export const userUid = (i: number) => `user${String(i).padStart(5, '0')}`;
export const userDn = (i: number) => `uid=${userUid(i)},${PEOPLE}`;
export const groupCn = (j: number) => `group${String(j).padStart(3, '0')}`;
export const BIG_DN = `cn=big,${GROUPS}`;

/** The LDIF (entries only; the base entries come from the slapd helper). */
export function populationLdif(p: Population): string {
  const out: string[] = [];
  const groupOf = (i: number) => `cn=${groupCn(i % p.groups)},${GROUPS}`;
  for (let i = 1; i <= p.users; i++) {
    const memberOf = p.memberOf ? [...(i <= p.bigGroup ? [BIG_DN] : []), groupOf(i)].map((g) => `memberOf: ${g}\n`).join('') : '';
    out.push(
      `dn: ${userDn(i)}\nobjectClass: top\nobjectClass: inetOrgPerson\nuid: ${userUid(i)}\ncn: User ${i}\nsn: Surname${i}\n` +
        `givenName: Given${i}\nmail: ${userUid(i)}@example.org\ntitle: Engineer\nemployeeNumber: ${i}\n${memberOf}`,
    );
  }
  const members: string[][] = Array.from({ length: p.groups }, () => []);
  for (let i = 1; i <= p.users; i++) members[i % p.groups]?.push(userDn(i));
  members.forEach((m, j) => {
    out.push(
      `dn: cn=${groupCn(j)},${GROUPS}\nobjectClass: top\nobjectClass: groupOfNames\ncn: ${groupCn(j)}\n${m.map((d) => `member: ${d}\n`).join('')}`,
    );
  });
  const big = Array.from({ length: p.bigGroup }, (_, k) => `member: ${userDn(k + 1)}\n`).join('');
  out.push(`dn: ${BIG_DN}\nobjectClass: top\nobjectClass: groupOfNames\ncn: big\n${big}`);
  return out.join('\n');
}
