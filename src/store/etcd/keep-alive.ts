import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, type ILeaseKeepAliveResponse } from 'etcd3';
import { clientOptions, type EtcdLocation } from './options.js';

/** A host that failed is tried after the others for this long (it is still tried if all fail). */
const penaltyMs = 5000;

export interface KeeperEvents {
  /** etcd answered that the lease is gone, or no member renewed it for a whole TTL. */
  lost(reason: Error): void;
}

/**
 * Keeps one lease alive, preferring the first endpoint of the store URL (list this host's own
 * etcd member first). Why not etcd3's own keep-alive: it streams to a randomly picked member and
 * only notices a silent one after a full TTL without an answer — with a short TTL the lease has
 * expired by then. Here each renewal (every TTL/3) is one request with a deadline of at most
 * TTL/4; a member that misses it is skipped for a few seconds and the next endpoint is asked at
 * once, so a lease survives the loss of any member but the last.
 */
export class LeaseKeeper {
  private readonly clients = new Map<string, Etcd3>();
  private readonly failedAt = new Map<string, number>();
  private readonly stopped = new AbortController();
  private lastRenewed = Date.now();
  private loop: Promise<void> | undefined;
  /** The endpoint that renewed the lease last (status and tests). */
  lastHost: string | undefined;

  constructor(
    private readonly location: EtcdLocation,
    private readonly leaseId: string,
    private readonly ttlSeconds: number,
    private readonly events: KeeperEvents,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** Endpoints in the order to ask: the preferred (first) one first, recently failed ones last. */
  order(now = Date.now()): string[] {
    const healthy = (h: string) => now - (this.failedAt.get(h) ?? -Infinity) > penaltyMs;
    const hosts = this.location.hosts;
    return [...hosts.filter(healthy), ...hosts.filter((h) => !healthy(h))];
  }

  private async run(): Promise<void> {
    const signal = this.stopped.signal;
    const intervalMs = (this.ttlSeconds * 1000) / 3;
    while (!signal.aborted) {
      const outcome = await this.renew();
      if (outcome === 'gone') {
        this.events.lost(new Error(`etcd no longer knows lease ${this.leaseId}`));
        return;
      }
      if (outcome === 'renewed') this.lastRenewed = Date.now();
      else if (Date.now() - this.lastRenewed > this.ttlSeconds * 1000) {
        this.events.lost(new Error(`no etcd member renewed the lease for ${this.ttlSeconds} s`));
        return;
      }
      try {
        // After a round where no member answered, try again sooner.
        await sleep(outcome === 'renewed' ? intervalMs : intervalMs / 3, undefined, { signal });
      } catch {
        return;
      }
    }
  }

  /** One renewal: ask the endpoints in order until one answers. */
  private async renew(): Promise<'renewed' | 'gone' | 'unreachable'> {
    for (const host of this.order()) {
      if (this.stopped.signal.aborted) return 'unreachable';
      try {
        const res = await this.keepAliveOnce(host);
        if (Number(res.TTL) <= 0) return 'gone';
        this.failedAt.delete(host);
        this.lastHost = host;
        return 'renewed';
      } catch {
        this.failedAt.set(host, Date.now());
      }
    }
    return 'unreachable';
  }

  private async keepAliveOnce(host: string): Promise<ILeaseKeepAliveResponse> {
    const deadlineMs = Math.max(100, Math.min(this.location.timeoutMs, (this.ttlSeconds * 1000) / 4));
    const client = this.clientFor(host);
    const timer = new AbortController();
    const expired = sleep(deadlineMs, undefined, { signal: timer.signal }).then(
      () => {
        throw new Error(`${host} did not renew the lease within ${deadlineMs} ms`);
      },
      () => undefined as never,
    );
    let stream: Awaited<ReturnType<Etcd3['leaseClient']['leaseKeepAlive']>> | undefined;
    try {
      return await Promise.race([
        (async () => {
          const s = await client.leaseClient.leaseKeepAlive({ deadline: Date.now() + deadlineMs });
          stream = s;
          // Opened after the deadline: `finally` has run already, so close it here.
          if (timer.signal.aborted) {
            s.on('error', () => {});
            s.end();
            throw new Error('late');
          }
          return await new Promise<ILeaseKeepAliveResponse>((resolve, reject) => {
            s.on('data', resolve);
            s.on('error', reject);
            s.write({ ID: this.leaseId });
          });
        })(),
        expired,
      ]);
    } finally {
      timer.abort();
      if (stream) {
        stream.on('error', () => {});
        stream.end();
      }
    }
  }

  /** One client per endpoint, so a request goes to exactly that member. */
  private clientFor(host: string): Etcd3 {
    let client = this.clients.get(host);
    if (!client) {
      client = new Etcd3(clientOptions({ ...this.location, hosts: [host] }));
      this.clients.set(host, client);
    }
    return client;
  }
}
