/**
 * `portico/store`: the catalog. `openStore()` opens the embedded SQLite catalog (default
 * `catalog.db` in the state directory, or `sqlite:///abs/path.db`) or a shared etcd 3 cluster
 * (`etcd://host:port[,host:port…]`); both implement the same `Store` interface.
 */

export type {
  CheckDefinition,
  CheckResult,
  CheckState,
  HealthStatus,
  Instance,
  InstanceProtocol,
} from '../core/model.js';
export { availability } from '../store/availability.js';
export { openStore } from '../store/index.js';
export type {
  InstanceFilter,
  StatusChange,
  Store,
  StoreEvent,
  SyncResult,
  TtlRecord,
} from '../store/store.js';
