import { describe, expect, it } from 'vitest';
import { byCodePoint } from '../src/index.js';

describe('byCodePoint', () => {
  it('orders by code units, not by the locale: upper case and punctuation first', () => {
    const names = ['ab', 'a_b', 'B', 'a-b', 'aB', 'a', 'é'];
    expect([...names].sort(byCodePoint)).toEqual(['B', 'a', 'a-b', 'aB', 'a_b', 'ab', 'é']);
    // ICU collation (what localeCompare does) puts these elsewhere, and its order depends on LANG.
    expect([...names].sort((a, b) => a.localeCompare(b, 'en'))).not.toEqual([...names].sort(byCodePoint));
  });

  it('is zero only for equal strings', () => {
    expect(byCodePoint('x', 'x')).toBe(0);
    expect(byCodePoint('x', 'y')).toBeLessThan(0);
    expect(byCodePoint('y', 'x')).toBeGreaterThan(0);
  });
});
