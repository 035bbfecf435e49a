import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';

/** How often a candidate looks at who leads (a failover takes the dead host's TTL plus this). */
const roundMs = 500;

export interface ElectionOptions {
  client: Etcd3;
  /** The candidates' key prefix, e.g. `<root>/_leader/<project>/` (read every round). */
  prefix: () => string;
  /** What the candidate's key says (host and agent), for `etcdctl` readers. */
  value: string;
  /** The host's live lease, undefined while it is lost. */
  leaseId: () => string | undefined;
  /** Called with every change of leadership. */
  onChange: (leader: boolean) => void;
}

/**
 * etcd's election recipe on the host's own lease: each candidate puts `<prefix><lease id>` under
 * its lease; the key with the lowest create revision leads. Using the session's lease (kept alive
 * by keep-alive.ts, the local member first) instead of a second lease from etcd3's Election
 * means leadership ends exactly when the host's instances leave: when the lease expires etcd
 * deletes the key and the next candidate leads; when this agent's lease is lost it steps down
 * at once, and stands again with its next lease. A round that cannot reach etcd changes nothing:
 * only the lease decides.
 */
export class LeaseElection {
  private key: string | undefined;
  private leading = false;

  constructor(private readonly options: ElectionOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.round().catch(() => undefined);
      try {
        await sleep(roundMs, undefined, { signal });
      } catch {
        break;
      }
    }
    this.set(false);
  }

  /** Leave the election now (bounded: etcd may be gone; the lease's end removes the key anyway). */
  async resign(): Promise<void> {
    this.set(false);
    const key = this.key;
    this.key = undefined;
    if (key)
      await Promise.race([
        this.options.client
          .delete()
          .key(key)
          .exec()
          .catch(() => undefined),
        sleep(2000),
      ]);
  }

  private async round(): Promise<void> {
    const { client } = this.options;
    const lease = this.options.leaseId();
    if (lease === undefined) {
      this.key = undefined;
      this.set(false);
      return;
    }
    const prefix = this.options.prefix();
    const key = `${prefix}${lease}`;
    if (this.key !== undefined && this.key !== key) {
      // A new lease or another project after a reload: the old key must not keep a place.
      const old = this.key;
      this.key = undefined;
      await client.delete().key(old).exec();
    }
    const candidates = await client.getAll().prefix(prefix).sort('Create', 'Ascend').keys();
    if (!candidates.includes(key)) {
      await client.put(key).value(this.options.value).lease(lease).exec();
      this.key = key;
      // Leadership is decided next round, from a read that includes this key.
      this.set(false);
      return;
    }
    this.key = key;
    this.set(candidates[0] === key);
  }

  private set(leader: boolean): void {
    if (leader === this.leading) return;
    this.leading = leader;
    this.options.onChange(leader);
  }
}
