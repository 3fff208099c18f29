/** The write log list state consults: which writes may change which listings. */
import { describe, expect, it } from 'vitest';
import { filterAttributes, parseLdapFilter } from '../src/filter.js';
import { WriteLog } from '../src/writes.js';

describe('WriteLog', () => {
  it('tells a listing apart from writes that cannot change it', () => {
    const log = new WriteLog();
    const at = log.generation;
    const depends = new Set(['objectclass', 'uid']);
    expect(log.changedSince(at, depends)).toBe(false);
    log.modified(['title', 'Mail']);
    expect(log.changedSince(at, depends)).toBe(false);
    expect(log.changedSince(at, new Set(['mail']))).toBe(true);
    expect(log.changedSince(at, '*')).toBe(true);
    log.structure();
    expect(log.changedSince(at, depends)).toBe(true);
    expect(log.changedSince(log.generation, depends)).toBe(false);
  });

  it('counts a listing older than the remembered writes as changed', () => {
    const log = new WriteLog();
    const at = log.generation;
    for (let i = 0; i < 2000; i++) log.modified(['title']);
    expect(log.changedSince(at, new Set(['uid']))).toBe(true);
    expect(log.changedSince(log.generation - 10, new Set(['uid']))).toBe(false);
  });
});

describe('filterAttributes', () => {
  it('lists the attributes a filter tests, or every one for an extensible match on DN parts', () => {
    expect(filterAttributes(parseLdapFilter('(&(objectClass=user)(|(Title=a)(!(mail=*))))'))).toEqual(
      new Set(['objectclass', 'title', 'mail']),
    );
    expect(filterAttributes(parseLdapFilter('(userAccountControl:1.2.840.113556.1.4.803:=2)'))).toEqual(
      new Set(['useraccountcontrol']),
    );
    expect(filterAttributes(parseLdapFilter('(:dn:2.5.13.5:=x)'))).toBe('*');
  });
});
