import { describe, expect, it } from 'vitest';
import { Membership } from '../src/store/indexes.js';

describe('Membership.members', () => {
  it('hands out one frozen array of frozen members until the group changes', () => {
    const m = new Membership();
    m.add('g', [{ value: 'a', display: 'A' }, { value: 'b' }]);
    const first = m.members('g');
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.every((x) => Object.isFrozen(x))).toBe(true);
    expect(m.members('g')).toBe(first);
    // Adding a member that is already there, unchanged, changes nothing.
    m.add('g', [{ value: 'a', display: 'A' }]);
    expect(m.members('g')).toBe(first);
    m.add('g', [{ value: 'c' }]);
    const second = m.members('g');
    expect(second).not.toBe(first);
    expect(second.map((x) => x.value)).toEqual(['a', 'b', 'c']);
    expect(first.map((x) => x.value)).toEqual(['a', 'b']);
    m.remove('g', ['b']);
    expect(m.members('g').map((x) => x.value)).toEqual(['a', 'c']);
    m.drop('g');
    expect(m.members('g')).toEqual([]);
  });

  it('a changed display is a new element; undo puts the old one back', () => {
    const m = new Membership();
    m.add('g', [{ value: 'a', display: 'A' }]);
    const before = m.members('g');
    const undos: (() => void)[] = [];
    m.onUndo = (u) => undos.push(u);
    const changed = m.add('g', [{ value: 'a', display: 'B' }]);
    m.onUndo = undefined;
    expect(changed).toEqual([{ value: 'a', display: 'B' }]);
    expect(before[0]).toEqual({ value: 'a', display: 'A' });
    expect(m.members('g')).toEqual([{ value: 'a', display: 'B' }]);
    for (const u of undos.reverse()) u();
    expect(m.members('g')).toEqual([{ value: 'a', display: 'A' }]);
  });

  it('list() is a new array each time', () => {
    const m = new Membership();
    m.add('g', [{ value: 'a' }]);
    expect(m.list('g')).not.toBe(m.list('g'));
    expect(m.list('nope')).toEqual([]);
  });
});
