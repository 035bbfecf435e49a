import { isIP } from 'node:net';
import { PorticoError } from './errors.js';

/** A TCP/UDP port as typed by a user: integer 1–65535 (0 only where `allowZero` says so). */
export function parsePort(value: string | number, what = 'port', allowZero = false): number {
  const text = String(value).trim();
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535 || port < (allowZero ? 0 : 1)) {
    throw new PorticoError('E_PORT_INVALID', `${what} "${text}" is not a valid port (1-65535)`, {
      details: { value: text },
    });
  }
  return port;
}

export interface PortRange {
  start: number;
  end: number;
}

/** "8000-8010" or a single "8000". */
export function parsePortRange(value: string, what = 'range'): PortRange {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(value);
  if (!m) {
    throw new PorticoError('E_PORT_RANGE_INVALID', `${what} "${value}" is not of the form A-B`, {
      hint: 'Example: --range 20000-29999',
    });
  }
  const start = parsePort(m[1]!, what);
  const end = m[2] === undefined ? start : parsePort(m[2], what);
  if (end < start) {
    throw new PorticoError('E_PORT_RANGE_INVALID', `${what} "${value}" ends before it starts`);
  }
  return { start, end };
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * "host:port", "[::1]:port", or ":port"/"port" (host defaults to `defaultHost`). Port 0 ("pick
 * one") only for listen addresses, with `allowZero`.
 */
export function parseHostPort(value: string, defaultHost = '127.0.0.1', allowZero = false): HostPort {
  const text = value.trim();
  const port = (p: string): number => parsePort(p, 'port', allowZero);
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) return { host: checkHost(bracketed[1]!, value), port: port(bracketed[2]!) };
  if (/^:?\d+$/.test(text)) return { host: defaultHost, port: port(text.replace(':', '')) };
  const i = text.lastIndexOf(':');
  if (i <= 0 || text.indexOf(':') !== i) {
    throw new PorticoError('E_ADDRESS_INVALID', `"${value}" is not host:port`, {
      hint: 'Examples: 127.0.0.1:8080, [::1]:8080, localhost:5432',
    });
  }
  return { host: checkHost(text.slice(0, i), value), port: port(text.slice(i + 1)) };
}

function checkHost(host: string, original: string): string {
  if (isIP(host) || /^[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9])?$/.test(host)) return host;
  throw new PorticoError('E_ADDRESS_INVALID', `"${original}" has an invalid host "${host}"`);
}

/** Format for display and URLs: IPv6 literals get brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

export type AddressScope = 'loopback' | 'all' | 'specific';

/** How widely a bound address is reachable: the distinction users care about for exposure. */
export function addressScope(address: string): AddressScope {
  if (address === '0.0.0.0' || address === '::' || address === '*' || address === '') return 'all';
  if (address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1') return 'loopback';
  if (address.startsWith('::ffff:127.')) return 'loopback';
  return 'specific';
}

export function isLoopbackAddress(address: string): boolean {
  return addressScope(address) === 'loopback';
}
