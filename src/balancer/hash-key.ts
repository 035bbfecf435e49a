import type { RouteSpec } from './model.js';

/** Patterns for the cookie a route hashes on, built once per cookie name, not per request. */
const cookiePatterns = new Map<string, RegExp>();

/**
 * The consistent-hash key of a request: the named header, else the named cookie, else the
 * client address (as the route's `hashOn` says). `header` reads a header by lower-case name,
 * the way the caller's parser keeps them.
 */
export function hashKeyOf(
  on: NonNullable<RouteSpec['hashOn']>,
  header: (lowerName: string) => string | undefined,
  clientIp: string,
): string | undefined {
  if (on.header) {
    const v = header(on.header.toLowerCase());
    if (v !== undefined) return v;
  }
  if (on.cookie) {
    let pattern = cookiePatterns.get(on.cookie);
    if (!pattern) {
      pattern = new RegExp(`(?:^|;\\s*)${on.cookie.replace(/[^\w-]/g, '')}=([^;]*)`);
      cookiePatterns.set(on.cookie, pattern);
    }
    const m = pattern.exec(header('cookie') ?? '');
    if (m) return m[1];
  }
  return on.clientIp ? clientIp : undefined;
}
