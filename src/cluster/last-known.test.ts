import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PorticoError } from '../core/errors.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { Freshness, LastKnownStore, windowFrom } from './last-known.js';

/** A real SQLite catalog whose reads fail as an unreachable etcd's do while `down` is set. */
function flaky(inner: Store): { store: Store; down: { value: boolean } } {
  const down = { value: false };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        down.value
          ? Promise.reject(new PorticoError('E_STORE_UNAVAILABLE', 'etcd at 127.0.0.1:1 is unavailable'))
          : value.apply(target, args);
    },
  });
  return { store, down };
}

const change = (checkId: string, status: 'passing' | 'critical', at: number) => ({
  instanceId: 'web-1',
  checkId,
  status,
  at,
});

const dir = mkdtempSync(join(tmpdir(), 'portico-last-known-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempDb = () => join(dir, `c${files++}.db`);

describe('LastKnownStore', () => {
  it('serves the last history while cut off, cut to the window asked, as the store cuts it', async () => {
    const sqlite = new SqliteStore({ path: tempDb() });
    const { store, down } = flaky(sqlite);
    const lastKnown = new LastKnownStore(store, new Freshness());
    for (const [status, at] of [
      ['passing', 1000],
      ['critical', 2000],
      ['passing', 3000],
    ] as const) {
      await sqlite.putCheckState({ instanceId: 'web-1', checkId: 'http', status, output: '', since: at });
    }
    const live = await lastKnown.history('web-1', 0);
    expect(live.map((c) => c.status)).toEqual(['passing', 'critical', 'passing']);

    down.value = true;
    const stale = await lastKnown.history('web-1', 2500);
    expect(lastKnown.freshness.stale).toBe(true);
    // The status at the window's start (critical since 2000), then the change inside it.
    expect(stale).toEqual(await sqlite.history('web-1', 2500));
    expect(stale.map((c) => [c.status, c.at])).toEqual([
      ['critical', 2000],
      ['passing', 3000],
    ]);
    await sqlite.close();
  });

  it('keeps one history answer per instance however many windows are asked', async () => {
    const sqlite = new SqliteStore({ path: tempDb() });
    const lastKnown = new LastKnownStore(sqlite, new Freshness());
    for (let i = 0; i < 500; i++) await lastKnown.history('web-1', Date.now() - i);
    const answers = (lastKnown as unknown as { answers: Map<string, unknown> }).answers;
    expect([...answers.keys()].filter((k) => k.startsWith('history'))).toEqual(['history web-1']);
    await sqlite.close();
  });

  it('windowFrom keeps, per check, the last change before the window', () => {
    const all = [
      change('a', 'passing', 1),
      change('b', 'critical', 2),
      change('a', 'critical', 3),
      change('a', 'passing', 9),
    ];
    expect(windowFrom(all, 5)).toEqual([
      change('a', 'critical', 3),
      change('b', 'critical', 2),
      change('a', 'passing', 9),
    ]);
    expect(windowFrom(all, 0)).toEqual(all);
  });
});
