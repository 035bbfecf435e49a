import type { SecretPolicy } from '../checks/trust.js';
import type { Instance } from '../core/model.js';

/**
 * Something that knows about services. The contract, borrowed from Prometheus discovery:
 * - `snapshot` returns everything the source knows right now, or throws (E_SOURCE_FAILED);
 * - `watch` runs until the signal aborts, publishing a full snapshot whenever it may have
 *   changed; on an error it keeps the last good state (publishes nothing) and backs off;
 * - a source reads no environment variables itself: everything comes in its options.
 */
export interface Source {
  readonly name: SourceName;
  snapshot(signal: AbortSignal): Promise<Instance[]>;
  watch(publish: (instances: Instance[]) => void | Promise<void>, signal: AbortSignal): Promise<void>;
}

export type SourceName = 'compose' | 'docker' | 'manifest' | 'processes';

/** What every source may need; each takes only its part. */
export interface SourceOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  composeFiles?: string[];
  /** Enabled compose profiles (--profile); undefined: COMPOSE_PROFILES from `env`. */
  composeProfiles?: string[];
  manifest?: string;
  /**
   * The project as the one loader read it: file sources take their first snapshot from it
   * instead of reading the files again (they re-read only when a file changes).
   */
  project?: import('../project/model.js').Project;
  /** Poll interval for file and process sources. */
  pollMs?: number;
  onError?: (source: SourceName, error: unknown) => void;
  /**
   * Password variables that labels may name (portico.yaml `secrets.allowEnv`); `PORTICO_*` is
   * always allowed. Unset: only `PORTICO_*`.
   */
  secrets?: SecretPolicy;
}
