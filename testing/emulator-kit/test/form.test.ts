import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { firstValues, isForm, repeatedParameter } from '../src/index.js';

const withType = (type?: string) => ({ headers: type === undefined ? {} : { 'content-type': type } }) as IncomingMessage;

describe('isForm', () => {
  it('takes the form type with parameters and in any case, nothing else', () => {
    expect(isForm(withType('application/x-www-form-urlencoded'))).toBe(true);
    expect(isForm(withType(' Application/X-WWW-Form-URLEncoded ; charset=UTF-8'))).toBe(true);
    expect(isForm(withType('application/json'))).toBe(false);
    expect(isForm(withType('application/x-www-form-urlencoded-ish'))).toBe(false);
    expect(isForm(withType())).toBe(false);
  });
});

describe('firstValues', () => {
  it('keeps the first value of each name, as own properties', () => {
    const fields = firstValues(new URLSearchParams('a=1&b=2&a=3&__proto__=x'));
    expect(Object.entries(fields)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['__proto__', 'x'],
    ]);
    expect(Object.hasOwn(fields, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  });
});

describe('repeatedParameter', () => {
  it('names the field whose second occurrence comes first', () => {
    expect(repeatedParameter(new URLSearchParams('a=1&b=1&b=2&a=2'))).toBe('b');
    expect(repeatedParameter(new URLSearchParams('a=1&b=2'))).toBeUndefined();
    expect(repeatedParameter(new URLSearchParams('a=&a='))).toBe('a');
  });

  it('with names, looks at those only, in their order', () => {
    const form = new URLSearchParams('other=1&other=2&b=1&a=1&b=2&a=2');
    expect(repeatedParameter(form, ['a', 'b'])).toBe('a');
    expect(repeatedParameter(form, ['c'])).toBeUndefined();
  });
});
