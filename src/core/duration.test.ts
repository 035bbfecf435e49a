import { describe, expect, it } from 'vitest';
import { parseDuration, tryParseDuration } from './duration.js';

describe('parseDuration', () => {
  it('parses units and bare seconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('60')).toBe(60_000);
    expect(parseDuration(2)).toBe(2000);
  });
  it.each(['', 'soon', '5 days', '-1s', '1e9h', '1d'])('rejects %s', (v) => {
    expect(() => parseDuration(v)).toThrow(expect.objectContaining({ code: 'E_DURATION_INVALID' }));
  });
  it('takes an explicit unit for bare numbers', () => {
    expect(parseDuration('30', 'timeout', { syntax: 'haproxy' })).toBe(30);
    expect(parseDuration(30, 'timeout', { bareUnit: 'ms' })).toBe(30);
    expect(() => parseDuration('30', 'interval', { syntax: 'go' })).toThrow(/interval "30"/);
  });
});

describe('tryParseDuration', () => {
  it.each([
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['100ms', 100],
    ['1h', 3_600_000],
    ['10us', 0.01],
    ['500ns', 0.0005],
    ['.5s', 500],
    ['0', 0],
  ])('go %s → %s ms', (text, expected) => {
    expect(tryParseDuration(text, { syntax: 'go' })).toBeCloseTo(expected, 9);
  });
  it.each(['5', '1d', '1m 30s', 's', '1.5.5s'])('go rejects %s', (text) => {
    expect(tryParseDuration(text, { syntax: 'go' })).toBeUndefined();
  });
  it('reads gateway durations with each gateway’s bare unit', () => {
    expect(tryParseDuration('30', { syntax: 'nginx' })).toBe(30_000);
    expect(tryParseDuration('1h 30m', { syntax: 'nginx' })).toBe(5_400_000);
    expect(tryParseDuration('1d', { syntax: 'nginx' })).toBe(86_400_000);
    expect(tryParseDuration('30', { syntax: 'haproxy' })).toBe(30);
    expect(tryParseDuration('5s', { syntax: 'haproxy' })).toBe(5000);
    expect(tryParseDuration('30', { syntax: 'caddy' })).toBeUndefined();
    expect(tryParseDuration('2d', { syntax: 'caddy' })).toBe(172_800_000);
  });
});
