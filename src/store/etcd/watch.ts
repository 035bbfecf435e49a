import { setTimeout as sleep } from 'node:timers/promises';
import { type Etcd3, type IWatchResponse, Range, type Watcher } from 'etcd3';
import type { StoreEvent } from '../store.js';
import type { ChangeRecord } from './etcd-store.js';

const maxBackoffMs = 2000;

export interface WatchOptions {
  /** Told the revision of each lease expiry seen, before its events are yielded. */
  onExpired?: (revision: number) => void;
  /**
   * Events held for a consumer that is behind (default 10,000). Beyond it the etcd watch stops
   * taking events; once the consumer has taken what is held, a new watch starts from the last
   * revision held, so nothing is lost and memory stays bounded.
   */
  maxQueued?: number;
  /** Told each time the watch stops because the consumer is behind. */
  onBacklog?: () => void;
}

/** The keys one project's watch follows. */
export interface WatchedKeys {
  /** `<project>/changes`: one put per Portico write transaction. */
  changes: string;
  /** `<project>/instances/`: deletes here without a `changes` put are lease expiries. */
  instances: string;
}

/**
 * Stream the events recorded in one `changes` key after revision `fromIndex`, until the signal
 * aborts. Each put of the key is one write transaction; its mod revision is the events' index.
 * The watch covers the key range from `changes` to the end of `instances/` so it also sees
 * instances that etcd deleted on its own when their host's lease expired: a revision with
 * instance deletes and no `changes` put becomes `instance-delete` events (a transaction's
 * events always arrive in one watch response, so a deregister is never reported twice).
 * We track the last revision delivered ourselves and, after a disconnect, start a new etcd watch
 * from that revision + 1: the library's own resume point follows the response header, which can
 * run ahead of events still being replayed. If etcd has compacted the revisions we need, we
 * continue from the current revision (the events in between are gone, as in a SQLite store
 * whose change log was pruned).
 */
export async function* watchChanges(
  client: Etcd3,
  keys: WatchedKeys,
  fromIndex: number,
  signal: AbortSignal,
  options: WatchOptions = {},
): AsyncIterable<StoreEvent> {
  const { onExpired = () => {}, maxQueued = 10_000, onBacklog = () => {} } = options;
  let last = fromIndex;
  let failures = 0;
  const queue: StoreEvent[] = [];
  let wake: (() => void) | undefined;
  // Set by the watcher's handlers: why the current etcd watch ended.
  const state: { broken?: 'disconnected' | 'compacted' | 'backlog' } = {};
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  signal.addEventListener('abort', notify, { once: true });

  while (!signal.aborted) {
    delete state.broken;
    const watcher: Watcher = client
      .watch()
      .inRange(new Range(keys.changes, prefixEnd(keys.instances)))
      .startRevision(String(last + 1))
      .watcher();
    watcher.on('data', (res: IWatchResponse) => {
      // After a break, nothing more is taken from this watch: `last` stays at the last event
      // held, and the next watch replays from there.
      if (state.broken !== undefined) return;
      if (queue.length >= maxQueued) {
        state.broken = 'backlog';
        onBacklog();
        notify();
        return;
      }
      const delivered = eventsOf(res, keys, last);
      if (delivered.length === 0) return;
      last = delivered[delivered.length - 1]!.index;
      failures = 0;
      for (const { expired, ...event } of delivered) {
        if (expired) onExpired(event.index);
        queue.push(event);
      }
      notify();
    });
    watcher.on('connected', () => {
      failures = 0;
    });
    watcher.on('disconnected', () => {
      state.broken = 'disconnected';
      notify();
    });
    watcher.on('error', () => {
      // etcd cancels a watch it cannot serve from that revision. For compaction, etcd 3.4 sends
      // no cancel reason (only compact_revision, which the library does not pass on), so any
      // cancel is taken as "those revisions are gone"; disconnects arrive as 'disconnected'.
      state.broken = 'compacted';
      notify();
    });
    try {
      while (!signal.aborted && state.broken === undefined) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      // Deliver what arrived before the break.
      while (!signal.aborted && queue.length > 0) yield queue.shift()!;
    } finally {
      watcher.removeAllListeners();
      watcher.on('error', () => {});
      // A watch etcd already cancelled must not be cancelled again: the library would wait for
      // an answer that never comes. Bounded either way.
      if (state.broken !== 'compacted') {
        await Promise.race([watcher.cancel().catch(() => undefined), sleep(1000)]);
      }
    }
    if (signal.aborted) break;
    // The consumer has caught up: watch again at once from the last event it was given.
    if (state.broken === 'backlog') continue;
    if (state.broken === 'compacted') {
      // The revisions we need are gone: continue from now (a consumer re-lists after a gap, as
      // it does at start). Retrying from an older revision would be refused again.
      const res = await client
        .get(keys.changes)
        .exec()
        .catch(() => undefined);
      if (res) last = Math.max(last, Number(res.header.revision));
    }
    failures++;
    try {
      await sleep(Math.min(maxBackoffMs, 50 * 2 ** Math.min(failures, 6)), undefined, { signal });
    } catch {
      break;
    }
  }
  signal.removeEventListener('abort', notify);
}

/** The first key after every key that starts with `prefix`. */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  end[end.length - 1]! += 1;
  return end;
}

/** The store events of one watch response after revision `after`, in revision order. */
function eventsOf(
  res: IWatchResponse,
  keys: WatchedKeys,
  after: number,
): Array<StoreEvent & { expired?: true }> {
  const byRevision = new Map<number, { record?: ChangeRecord; expired: string[] }>();
  for (const e of res.events) {
    const index = Number(e.kv.mod_revision);
    if (index <= after) continue;
    const entry = byRevision.get(index) ?? { expired: [] };
    byRevision.set(index, entry);
    const key = e.kv.key.toString();
    if (e.type === 'Put' && key === keys.changes) {
      entry.record = JSON.parse(e.kv.value.toString()) as ChangeRecord;
    } else if (e.type === 'Delete' && key.startsWith(keys.instances)) {
      entry.expired.push(decodeURIComponent(key.slice(keys.instances.length)));
    }
  }
  const out: Array<StoreEvent & { expired?: true }> = [];
  for (const [index, { record, expired }] of [...byRevision].sort(([a], [b]) => a - b)) {
    if (record) for (const e of record.events) out.push({ ...e, index, at: record.at });
    else
      for (const instanceId of expired)
        out.push({ kind: 'instance-delete', instanceId, index, at: Date.now(), expired: true });
  }
  return out;
}
