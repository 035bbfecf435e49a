import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3, Lease } from 'etcd3';
import type { Instance } from '../../core/model.js';
import type { SessionOptions, Store, StoreSession } from '../store.js';
import { LeaseKeeper } from './keep-alive.js';
import type { EtcdLocation } from './options.js';

/** The meta key naming the host whose agent wrote an instance. */
export const hostMetaKey = 'portico.host';

/**
 * What a session view asks of its session: the lease to attach writes to, and a record of what
 * this host wants in the catalog, so it can be written again after the lease was lost.
 */
export interface SessionLink {
  readonly host: string;
  /** The live lease id, or undefined while it is lost (a write then fails and is replayed). */
  leaseId(): string | undefined;
  wantSource(project: string, source: string, instances: Instance[]): void;
  wantInstance(project: string, instance: Instance): void;
  forgetInstance(project: string, id: string): void;
  /** A write through the session failed: replay everything at the next chance. */
  failed(): void;
}

/**
 * One host's lease on etcd, kept alive every TTL/3 by a LeaseKeeper (keep-alive.ts: the local,
 * first-listed member first, a short deadline, then the next member). When it
 * is lost — etcd unreachable for longer than the TTL, so etcd has already deleted this host's
 * instances — the session grants a new lease as soon as etcd answers and writes the host's
 * sources and registrations again (same ids: nothing is duplicated). A write that failed while
 * the lease was still alive (a short partition) is replayed the same way.
 */
export class EtcdSession implements StoreSession, SessionLink {
  readonly leased = true;
  private lease: Lease | undefined;
  private keeper: LeaseKeeper | undefined;
  private id: string | undefined;
  private dirty = false;
  private readonly stopped = new AbortController();
  private readonly sources = new Map<string, { project: string; source: string; instances: Instance[] }>();
  private readonly registered = new Map<string, { project: string; instance: Instance }>();
  private loop: Promise<void> | undefined;
  /** The session's catalog view (set by the store that opened it). */
  store!: Store;

  constructor(
    private readonly client: Etcd3,
    private readonly location: EtcdLocation,
    private readonly options: SessionOptions & { ttlSeconds: number },
    private readonly viewFor: (project: string) => Store,
  ) {}

  get host(): string {
    return this.options.host;
  }

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  leaseId(): string | undefined {
    return this.id;
  }

  /** Grant the first lease (fails with the client's error when etcd does not answer). */
  async start(): Promise<void> {
    await this.grant();
    this.loop = this.repair();
  }

  wantSource(project: string, source: string, instances: Instance[]): void {
    this.sources.set(`${project}\0${source}`, { project, source, instances });
  }

  wantInstance(project: string, instance: Instance): void {
    this.registered.set(`${project}\0${instance.id}`, { project, instance });
  }

  forgetInstance(project: string, id: string): void {
    this.registered.delete(`${project}\0${id}`);
  }

  failed(): void {
    this.dirty = true;
  }

  async close(): Promise<void> {
    if (this.stopped.signal.aborted) return;
    this.stopped.abort();
    await this.loop;
    const lease = this.lease;
    this.lease = undefined;
    this.id = undefined;
    await this.keeper?.stop();
    this.keeper = undefined;
    // Revoking deletes this host's instances at once; bounded, etcd may be gone.
    if (lease) await Promise.race([lease.revoke().catch(() => undefined), sleep(2000)]);
  }

  private async grant(): Promise<void> {
    // Our own keep-alive (LeaseKeeper), not etcd3's: it prefers the local member and fails over
    // within a fraction of the TTL.
    const lease = this.client.lease(this.options.ttlSeconds, { autoKeepAlive: false });
    let id: string;
    try {
      id = await lease.grant();
    } catch (error) {
      lease.release();
      throw error;
    }
    const keeper = new LeaseKeeper(this.location, id, this.options.ttlSeconds, {
      lost: (error) => {
        if (this.lease !== lease) return;
        this.id = undefined;
        this.lease = undefined;
        this.dirty = true;
        void keeper.stop();
        if (this.keeper === keeper) this.keeper = undefined;
        lease.release();
        this.options.onLost?.(error);
      },
    });
    await this.keeper?.stop();
    this.id = id;
    this.lease = lease;
    this.keeper = keeper;
    keeper.start();
  }

  /** The endpoint that renewed the lease last (undefined before the first renewal). */
  get renewedThrough(): string | undefined {
    return this.keeper?.lastHost;
  }

  /**
   * Every half second while something is owed: a new lease if it was lost, then this host's
   * wanted state written again. Idle otherwise.
   */
  private async repair(): Promise<void> {
    const signal = this.stopped.signal;
    while (!signal.aborted) {
      try {
        await sleep(500, undefined, { signal });
      } catch {
        return;
      }
      if (!this.dirty) continue;
      try {
        const regranted = this.id === undefined;
        if (regranted) await this.grant();
        this.dirty = false;
        for (const { project, source, instances } of [...this.sources.values()])
          await this.viewFor(project).syncSource(source, instances);
        for (const { project, instance } of [...this.registered.values()])
          await this.viewFor(project).register(instance);
        if (regranted) this.options.onRestored?.();
      } catch {
        this.dirty = true;
      }
    }
  }
}
