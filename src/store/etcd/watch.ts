import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { StoreEvent } from '../store.js';
import type { ChangeRecord } from './etcd-store.js';

const maxBackoffMs = 2000;

/**
 * Stream the events recorded in one `changes` key after revision `fromIndex`, until the signal
 * aborts. Each put of the key is one write transaction; its mod revision is the events' index.
 * We track the last revision delivered ourselves and, after a disconnect, start a new etcd watch
 * from that revision + 1: the library's own resume point follows the response header, which can
 * run ahead of events still being replayed. If etcd has compacted the revisions we need, we
 * continue from the current revision (the events in between are gone, as in a SQLite store
 * whose change log was pruned).
 */
export async function* watchChanges(
  client: Etcd3,
  key: string,
  fromIndex: number,
  signal: AbortSignal,
): AsyncIterable<StoreEvent> {
  let last = fromIndex;
  let failures = 0;
  const queue: StoreEvent[] = [];
  let wake: (() => void) | undefined;
  // Set by the watcher's handlers: why the current etcd watch ended.
  const state: { broken?: 'disconnected' | 'compacted' } = {};
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  signal.addEventListener('abort', notify, { once: true });

  while (!signal.aborted) {
    delete state.broken;
    const watcher: Watcher = client
      .watch()
      .key(key)
      .startRevision(String(last + 1))
      .watcher();
    watcher.on('put', (kv: IKeyValue) => {
      const index = Number(kv.mod_revision);
      if (index <= last) return;
      last = index;
      failures = 0;
      const record = JSON.parse(kv.value.toString()) as ChangeRecord;
      for (const e of record.events) queue.push({ ...e, index, at: record.at });
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
    if (state.broken === 'compacted') {
      // The revisions we need are gone: continue from now (a consumer re-lists after a gap, as
      // it does at start). Retrying from an older revision would be refused again.
      const res = await client
        .get(key)
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
