import type { Store, StoreEvent } from '../store/index.js';

/**
 * One watch on the project's catalog, shared by everything that waits for a change: Consul
 * blocking queries and the event stream. `index` is the catalog's change index as of the last
 * event of this project; it starts at the store's index and never goes down, and it is never
 * below 1 (Consul clients treat 0 as "no index").
 */
export class ChangeFeed {
  private current = 1;
  private waiters = new Set<() => void>();
  private listeners = new Set<(event: StoreEvent) => void>();

  get index(): number {
    return this.current;
  }

  /** Follow `store` until the signal aborts (call again with a new store after a reload). */
  async run(store: Store, signal: AbortSignal): Promise<void> {
    // One read: the watch starts exactly where the index was taken, so no change falls between.
    const from = await store.index();
    this.advance(from);
    for await (const event of store.watch(from, signal)) {
      this.advance(event.index);
      for (const listener of this.listeners) listener(event);
    }
  }

  /** Resolves when the index passes `after`, or after `timeoutMs` (or when `signal` aborts). */
  async wait(after: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.current > after || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const check = (): void => {
        if (this.current > after) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(check);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private advance(index: number): void {
    if (index <= this.current) return;
    this.current = index;
    for (const check of [...this.waiters]) check();
  }
}
