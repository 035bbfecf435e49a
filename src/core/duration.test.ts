import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('parses units and bare seconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('60')).toBe(60_000);
    expect(parseDuration(2)).toBe(2000);
  });
  it.each(['', 'soon', '5 days', '-1s', '1e9h'])('rejects %s', (v) => {
    expect(() => parseDuration(v)).toThrow(expect.objectContaining({ code: 'E_DURATION_INVALID' }));
  });
});
