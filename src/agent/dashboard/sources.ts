import type { Project } from '../../project/index.js';
import type { Store } from '../../store/index.js';

/** What the dashboard's read-only endpoints read from the running agent. */
export interface DashboardSources {
  store(): Store;
  /** The catalog namespace the agent watches. */
  project(): string;
  /** The project as loaded from its files (undefined: the agent runs on the catalog alone). */
  loaded(): Project | undefined;
  /** The agent's working folder when no project was loaded. */
  cwd(): string;
  env: NodeJS.ProcessEnv;
  /** Admin endpoints (host:port) of Portico balancers to show (`portico agent --lb-admin`). */
  balancers: string[];
  /** Aborted when the agent stops. */
  signal: AbortSignal;
}

/**
 * One value computed at most once per `ttlMs`, with concurrent callers sharing the computation
 * in flight: the dashboard may ask on every event, the expensive work (a health report, a
 * socket table) runs only when the last answer is stale.
 */
export function cached<T>(ttlMs: number, make: () => Promise<T>): () => Promise<T> {
  let value: { at: number; result: T } | undefined;
  let running: Promise<T> | undefined;
  return async () => {
    if (value && Date.now() - value.at < ttlMs) return value.result;
    running ??= make()
      .then((result) => {
        value = { at: Date.now(), result };
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return await running;
  };
}
