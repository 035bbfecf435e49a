import type { RouteSpec } from './model.js';

export interface Routed<T> {
  route: T;
  /** The path to send upstream (prefix stripped when the route says so). */
  path: string;
}

interface Entry<T> {
  spec: RouteSpec;
  value: T;
}

/**
 * Host (exact, then `*.suffix`, then any) then longest path prefix. Routes are indexed by host
 * once, so matching a request is a map lookup and a short scan.
 */
export class Router<T> {
  private readonly exact = new Map<string, Array<Entry<T>>>();
  private readonly wildcard: Array<[string, Array<Entry<T>>]> = [];
  private readonly any: Array<Entry<T>> = [];

  constructor(entries: Array<Entry<T>>) {
    for (const e of entries) {
      const host = e.spec.host;
      if (!host) this.any.push(e);
      else if (host.startsWith('*.')) {
        const suffix = host.slice(1);
        const bucket = this.wildcard.find(([s]) => s === suffix);
        if (bucket) bucket[1].push(e);
        else this.wildcard.push([suffix, [e]]);
      } else {
        const list = this.exact.get(host) ?? [];
        list.push(e);
        this.exact.set(host, list);
      }
    }
    const byPrefix = (a: Entry<T>, b: Entry<T>): number =>
      (b.spec.pathPrefix?.length ?? 0) - (a.spec.pathPrefix?.length ?? 0);
    for (const list of this.exact.values()) list.sort(byPrefix);
    for (const [, list] of this.wildcard) list.sort(byPrefix);
    this.any.sort(byPrefix);
    this.wildcard.sort((a, b) => b[0].length - a[0].length);
  }

  match(hostHeader: string | undefined, url: string): Routed<T> | undefined {
    // No route names a host (a single service, the common case): the Host field is not read.
    if (this.exact.size === 0 && this.wildcard.length === 0) return matchPath(this.any, url);
    const host = stripPort(hostHeader ?? '').toLowerCase();
    const exact = this.exact.get(host);
    if (exact) {
      const hit = matchPath(exact, url);
      if (hit) return hit;
    }
    for (const [suffix, list] of this.wildcard) {
      if (host.endsWith(suffix) && host.length > suffix.length) {
        const hit = matchPath(list, url);
        if (hit) return hit;
      }
    }
    return matchPath(this.any, url);
  }
}

function matchPath<T>(list: Array<Entry<T>>, url: string): Routed<T> | undefined {
  for (const e of list) {
    const prefix = e.spec.pathPrefix;
    if (!prefix) return { route: e.value, path: url };
    if (
      url === prefix ||
      url.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`) ||
      url.startsWith(`${prefix}?`)
    ) {
      const path = e.spec.stripPrefix ? url.slice(prefix.length).replace(/^(?=[^/]|$)/, '/') : url;
      return { route: e.value, path };
    }
  }
  return undefined;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 ? host.slice(0, colon) : host;
}
