import type { CheckState, Instance, Service } from '../core/model.js';
import { hostMetaKey } from '../store/etcd/session.js';
import type {
  InstanceFilter,
  SessionOptions,
  StatusChange,
  Store,
  StoreEvent,
  StoreSession,
  SyncResult,
  TtlRecord,
} from '../store/index.js';

/**
 * The catalog as an agent's checks see it: instances another host's agent owns (meta
 * `portico.host`) are left to that agent, which checks them from where they run and records
 * their state under its own lease. Unowned instances (registered by hand, by one-shot commands)
 * are checked by every agent, as before. Everything else passes through.
 */
export class OwnChecksView implements Store {
  constructor(
    private readonly inner: Store,
    private readonly host: string,
  ) {}

  get project(): string {
    return this.inner.project;
  }

  private mine(i: Instance): boolean {
    const owner = i.meta[hostMetaKey];
    return owner === undefined || owner === this.host;
  }

  inProject(project: string): Store {
    return new OwnChecksView(this.inner.inProject(project), this.host);
  }

  listProjects(): Promise<string[]> {
    return this.inner.listProjects();
  }

  index(): Promise<number> {
    return this.inner.index();
  }

  syncSource(source: string, instances: Instance[]): Promise<SyncResult> {
    return this.inner.syncSource(source, instances);
  }

  register(instance: Instance): Promise<void> {
    return this.inner.register(instance);
  }

  deregister(id: string): Promise<boolean> {
    return this.inner.deregister(id);
  }

  async listServices(): Promise<Service[]> {
    return this.inner.listServices();
  }

  async listInstances(filter?: InstanceFilter): Promise<Instance[]> {
    return (await this.inner.listInstances(filter)).filter((i) => this.mine(i));
  }

  async getInstance(id: string): Promise<Instance | undefined> {
    const i = await this.inner.getInstance(id);
    return i && this.mine(i) ? i : undefined;
  }

  putCheckState(state: CheckState): Promise<void> {
    return this.inner.putCheckState(state);
  }

  checkStates(instanceId?: string): Promise<CheckState[]> {
    return this.inner.checkStates(instanceId);
  }

  history(instanceId: string, since: number): Promise<StatusChange[]> {
    return this.inner.history(instanceId, since);
  }

  histories(since: number): Promise<Map<string, StatusChange[]>> {
    return this.inner.histories(since);
  }

  reportTtl(record: TtlRecord): Promise<void> {
    return this.inner.reportTtl(record);
  }

  ttlReports(): Promise<TtlRecord[]> {
    return this.inner.ttlReports();
  }

  openSession(options: SessionOptions): Promise<StoreSession> {
    return this.inner.openSession(options);
  }

  watch(fromIndex: number, signal: AbortSignal): AsyncIterable<StoreEvent> {
    return this.inner.watch(fromIndex, signal);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
