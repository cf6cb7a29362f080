import { describe, expect, it } from 'vitest';
import { truncateText } from '../src/text-caps.js';

describe('truncateText', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateText('hello', 5)).toBe('hello');
  });

  it('cuts longer text and appends a visible marker with the full size', () => {
    expect(truncateText('abcdefghij', 4)).toBe('abcd… [truncated: 10 bytes in all]');
  });

  it('never cuts a character in half', () => {
    // "é" is two bytes and "😀" four: a 3-byte budget keeps "aé", a 6-byte budget does not split the emoji.
    expect(truncateText('aé😀b', 3)).toBe('aé… [truncated: 8 bytes in all]');
    expect(truncateText('aé😀b', 6)).toBe('aé… [truncated: 8 bytes in all]');
    expect(truncateText('aé😀b', 7)).toBe('aé😀… [truncated: 8 bytes in all]');
  });
});
