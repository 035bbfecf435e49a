import { describe, expect, it } from 'vitest';
import { addressScope, formatHostPort, parseHostPort, parsePort, parsePortRange } from './address.js';

describe('parsePort', () => {
  it.each(['1', '5432', '65535'])('accepts %s', (v) => expect(parsePort(v)).toBe(Number(v)));
  it.each(['0', '70000', '-1', '80.5', 'http', '', '1e3'])('rejects %s with E_PORT_INVALID', (v) => {
    expect(() => parsePort(v)).toThrow(expect.objectContaining({ code: 'E_PORT_INVALID' }));
  });
  it('accepts 0 only when allowed', () => expect(parsePort('0', 'port', true)).toBe(0));
});

describe('parsePortRange', () => {
  it('parses ranges and single ports', () => {
    expect(parsePortRange('8000-8010')).toEqual({ start: 8000, end: 8010 });
    expect(parsePortRange('9000')).toEqual({ start: 9000, end: 9000 });
  });
  it('rejects reversed and malformed ranges', () => {
    expect(() => parsePortRange('9000-8000')).toThrow(
      expect.objectContaining({ code: 'E_PORT_RANGE_INVALID' }),
    );
    expect(() => parsePortRange('a-b')).toThrow(expect.objectContaining({ code: 'E_PORT_RANGE_INVALID' }));
    expect(() => parsePortRange('1-70000')).toThrow(expect.objectContaining({ code: 'E_PORT_INVALID' }));
  });
});

describe('parseHostPort', () => {
  it('handles IPv4, bracketed IPv6, names and bare ports', () => {
    expect(parseHostPort('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseHostPort('auth-service:3001')).toEqual({ host: 'auth-service', port: 3001 });
    expect(parseHostPort(':7000')).toEqual({ host: '127.0.0.1', port: 7000 });
    expect(parseHostPort('7000', '::1')).toEqual({ host: '::1', port: 7000 });
  });
  it.each(['::1:80', 'host:', 'ho st:80', 'a:b:c'])('rejects %s', (v) => {
    expect(() => parseHostPort(v)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^E_/) }));
  });
  it('formats IPv6 with brackets', () => expect(formatHostPort('::1', 80)).toBe('[::1]:80'));
});

describe('addressScope', () => {
  it('classifies', () => {
    expect(addressScope('0.0.0.0')).toBe('all');
    expect(addressScope('::')).toBe('all');
    expect(addressScope('127.0.0.53')).toBe('loopback');
    expect(addressScope('::1')).toBe('loopback');
    expect(addressScope('10.200.0.1')).toBe('specific');
  });
});
