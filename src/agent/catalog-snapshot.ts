import { createHash } from 'node:crypto';
import type { CheckState, Instance } from '../core/model.js';

export interface InstanceView {
  instance: Instance;
  states: CheckState[];
}

/** A response body serialized once: the bytes every reader of the same version writes. */
export interface CachedBody {
  bytes: Buffer;
  /** A strong ETag over the bytes: equal bodies of different versions keep their tag. */
  etag: string;
}

/** `value` as JSON bytes with their ETag. */
export function serializeBody(value: unknown): CachedBody {
  const bytes = Buffer.from(JSON.stringify(value));
  return { bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
}

/** How many serialized bodies one version keeps, and how many bytes in all (least recent go first). */
export const bodyLimits = { entries: 256, bytes: 16 << 20 };

/**
 * One version of the project's catalog and everything derived from it: built when the version is
 * first read and shared by every reader until the next version replaces it. Nothing here is ever
 * modified after it is made — readers that want to reorder or filter take copies.
 *
 * Derived values (`memo`) and serialized response bodies (`body`) are computed at most once per
 * version: when 100 blocking queries wake on one change, the first computes the body and the other
 * 99 write the same bytes.
 */
export class CatalogSnapshot {
  private grouped?: Map<string, readonly InstanceView[]>;
  private ids?: Map<string, InstanceView>;
  private readonly derived = new Map<string, unknown>();
  private readonly bodies = new Map<string, CachedBody>();
  private bodyBytes = 0;

  constructor(
    /** The store's change index read before this version was loaded. */
    readonly index: number,
    /** Every instance with its check states, sorted by service and id. */
    readonly views: readonly InstanceView[],
  ) {}

  /** Instances by service, services in catalog order. */
  get byService(): ReadonlyMap<string, readonly InstanceView[]> {
    if (!this.grouped) {
      const grouped = new Map<string, InstanceView[]>();
      for (const v of this.views) {
        const list = grouped.get(v.instance.service);
        if (list) list.push(v);
        else grouped.set(v.instance.service, [v]);
      }
      this.grouped = grouped;
    }
    return this.grouped;
  }

  /** The instances of one service (empty when there is none). */
  service(name: string): readonly InstanceView[] {
    return this.byService.get(name) ?? [];
  }

  instance(id: string): InstanceView | undefined {
    this.ids ??= new Map(this.views.map((v) => [v.instance.id, v]));
    return this.ids.get(id);
  }

  /**
   * A value derived from this version, made once. A promise that rejects is forgotten, so the
   * next reader tries again; so is a make that throws.
   */
  memo<T>(key: string, make: () => T): T {
    if (this.derived.has(key)) return this.derived.get(key) as T;
    const value = make();
    this.derived.set(key, value);
    if (value instanceof Promise)
      value.catch(() => {
        if (this.derived.get(key) === value) this.derived.delete(key);
      });
    return value;
  }

  /**
   * The JSON of `make()` for `key`, serialized once per version. `key` must name everything the
   * body depends on beyond this version (route, the query parameters that shape it, the feed
   * index a Consul body carries). Bodies are kept least-recently-used within `bodyLimits`; one
   * larger than the whole budget is returned without being kept.
   */
  body(key: string, make: () => unknown): CachedBody {
    const hit = this.bodies.get(key);
    if (hit) {
      // Most recently used last: eviction takes from the front.
      this.bodies.delete(key);
      this.bodies.set(key, hit);
      return hit;
    }
    const body = serializeBody(make());
    if (body.bytes.length > bodyLimits.bytes) return body;
    this.bodies.set(key, body);
    this.bodyBytes += body.bytes.length;
    for (const [oldKey, old] of this.bodies) {
      if (this.bodies.size <= bodyLimits.entries && this.bodyBytes <= bodyLimits.bytes) break;
      this.bodies.delete(oldKey);
      this.bodyBytes -= old.bytes.length;
    }
    return body;
  }

  /** How many bodies and bytes this version keeps (tests, metrics). */
  get bodyStats(): { entries: number; bytes: number } {
    return { entries: this.bodies.size, bytes: this.bodyBytes };
  }
}
