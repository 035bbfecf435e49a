import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Etcd3 } from 'etcd3';
import type { Store, StoreSession } from '../store/index.js';
import { LeaseElection } from './election.js';
import { clusterKeys, type Heartbeat } from './keys.js';
import { Freshness, LastKnownStore } from './last-known.js';
import { OwnChecksView } from './own-checks.js';

export interface MemberOptions {
  /** This host's name in the catalog (--node / PORTICO_NODE, else the hostname). */
  host?: string | undefined;
  /** Lease TTL in seconds (else the store's: etcd `lease=`, portico.yaml `store.lease`). */
  ttlSeconds?: number | undefined;
  project: () => string;
  listen: () => string;
  seenIndex: () => number;
  warn: (message: string) => void;
}

/** A job only one agent of the project runs at a time (the elected one). */
export type LeaderJob = (signal: AbortSignal) => Promise<void>;

/** The etcd parts of an EtcdStore a member needs (duck-typed, so SQLite agents never load etcd3). */
interface EtcdView {
  client: Etcd3;
  root: string;
}

function etcdOf(store: Store): EtcdView | undefined {
  const s = store as Partial<EtcdView>;
  return s.client && typeof s.root === 'string' ? (s as EtcdView) : undefined;
}

/**
 * An agent as one host of the cluster: its session (instances under a lease that dies with it),
 * a heartbeat key under the same lease (`portico cluster status`), the election for singleton
 * jobs, and the last-known catalog it serves, marked stale, while etcd is unreachable.
 * On SQLite there is one host: no lease, always the leader, never stale.
 */
export class ClusterMember {
  readonly freshness = new Freshness();
  private leader = false;
  private election: LeaseElection | undefined;
  private readonly stopping = new AbortController();
  /** Singleton jobs by name; each runs under its own controller while this agent leads. */
  private readonly jobs = new Map<string, LeaderJob>();
  private readonly jobsRunning = new Map<string, AbortController>();
  /** What each named singleton job last did (GET /api/v1/agent → cluster.jobs). */
  private readonly jobStates = new Map<string, Record<string, unknown>>();
  /** Jobs under way, awaited (bounded) on close so a pass is not cut off mid-write. */
  private readonly jobRuns = new Set<Promise<void>>();
  private loops: Promise<unknown>[] = [];
  /** This agent among others of the same host and project: its heartbeat key and election value. */
  readonly agentId = `${process.pid}-${randomBytes(3).toString('hex')}`;

  private constructor(
    private readonly session: StoreSession,
    private readonly options: MemberOptions,
    private readonly etcd: EtcdView | undefined,
  ) {}

  static async join(base: Store, options: MemberOptions): Promise<ClusterMember> {
    const host = options.host || process.env.PORTICO_NODE || hostname();
    const session = await base.openSession({
      host,
      ...(options.ttlSeconds ? { ttlSeconds: options.ttlSeconds } : {}),
      onLost: (e) =>
        options.warn(`etcd lease of host ${host} lost (${e.message}); rejoining when etcd answers`),
      onRestored: () => options.warn(`etcd lease of host ${host} granted again; instances written again`),
    });
    const member = new ClusterMember(session, options, etcdOf(base));
    if (member.etcd) {
      member.loops.push(member.heartbeats());
      member.elect();
    } else {
      // One host: this agent is the one that runs the singleton jobs, from the start.
      member.setLeader(true);
    }
    return member;
  }

  get host(): string {
    return this.session.host;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get stale(): boolean {
    return this.freshness.stale;
  }

  /** The catalog of `namespace` as this host writes and reads it. */
  view(namespace: string): Store {
    const store = this.session.store;
    return new LastKnownStore(
      store.project === namespace ? store : store.inProject(namespace),
      this.freshness,
    );
  }

  /** The view the agent's checks run on: other hosts' agent-owned instances left to them. */
  checksView(store: Store): Store {
    return this.session.leased ? new OwnChecksView(store, this.host) : store;
  }

  /** Run `job` whenever this agent is the elected one; it is aborted when leadership ends. */
  onLeadership(job: LeaderJob, name = `job ${this.jobs.size + 1}`): void {
    this.jobs.set(name, job);
    if (this.leader) this.start(name, job);
  }

  /**
   * Replace the jobs whose names start with `group` (SIGHUP: portico.yaml's gateways read again):
   * the old ones are aborted (the pass under way finishes), the new ones start if this agent leads.
   */
  replaceJobs(group: string, jobs: Map<string, LeaderJob>): void {
    for (const name of [...this.jobs.keys()].filter((n) => n.startsWith(group))) {
      this.jobs.delete(name);
      this.jobStates.delete(name);
      this.jobsRunning.get(name)?.abort();
      this.jobsRunning.delete(name);
    }
    for (const [name, job] of jobs) this.onLeadership(job, name);
  }

  /** Record what a named job last did, for the agent's status. */
  reportJob(name: string, state: Record<string, unknown>): void {
    this.jobStates.set(name, { ...state, at: Date.now() });
  }

  status() {
    return {
      host: this.host,
      agent: this.agentId,
      leased: this.session.leased,
      ttlSeconds: this.session.ttlSeconds,
      isLeader: this.leader,
      stale: this.freshness.stale,
      staleSince: this.freshness.staleSince ?? null,
      jobs: Object.fromEntries(this.jobStates),
    };
  }

  async close(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    this.setLeader(false);
    await this.election?.resign();
    await Promise.race([Promise.allSettled(this.jobRuns), sleep(5000)]);
    await Promise.allSettled(this.loops);
    await this.session.close();
  }

  /**
   * A heartbeat under the host's lease every second: it shows the host as alive (it goes with
   * the lease), and its success or failure is how the agent learns it is cut off from etcd.
   */
  private async heartbeats(): Promise<void> {
    const { client, root } = this.etcd!;
    const signal = this.stopping.signal;
    const leaseOf = (this.session as unknown as { leaseId?: () => string | undefined }).leaseId;
    while (!signal.aborted) {
      const lease = leaseOf?.call(this.session);
      const beat: Heartbeat = {
        agent: this.agentId,
        host: this.host,
        project: this.options.project(),
        pid: process.pid,
        listen: this.options.listen(),
        at: Date.now(),
        seenIndex: this.options.seenIndex(),
        isLeader: this.leader,
        stale: this.freshness.stale,
        ttlSeconds: this.session.ttlSeconds,
      };
      try {
        if (lease === undefined) throw new Error('lease lost');
        const put = client
          .put(clusterKeys.agent(root, this.host, beat.project, this.agentId))
          .value(JSON.stringify(beat))
          .lease(lease)
          .exec();
        // Bounded: a silent etcd (a partition) marks us stale in 2 s, not after the client's retries.
        const cut = sleep(2000, 'timeout' as const, { signal }).catch(() => 'timeout' as const);
        if ((await Promise.race([put, cut])) === 'timeout') {
          put.catch(() => undefined);
          throw new Error('heartbeat timed out');
        }
        this.freshness.ok();
      } catch {
        this.freshness.failed();
      }
      try {
        await sleep(1000, undefined, { signal });
      } catch {
        return;
      }
    }
  }

  /** Stand in the project's election on the host's lease (election.ts). */
  private elect(): void {
    const { client, root } = this.etcd!;
    const leaseOf = (this.session as unknown as { leaseId?: () => string | undefined }).leaseId;
    this.election = new LeaseElection({
      client,
      prefix: () => clusterKeys.leaderCandidates(root, this.options.project()),
      value: `${this.host} ${this.agentId}`,
      leaseId: () => leaseOf?.call(this.session),
      onChange: (leader) => this.setLeader(leader),
    });
    this.loops.push(this.election.run(this.stopping.signal));
  }

  private setLeader(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    if (leader) {
      for (const [name, job] of this.jobs) this.start(name, job);
    } else {
      for (const controller of this.jobsRunning.values()) controller.abort();
      this.jobsRunning.clear();
    }
  }

  private start(name: string, job: LeaderJob): void {
    const controller = new AbortController();
    this.jobsRunning.set(name, controller);
    const run = job(controller.signal).catch((e) => this.options.warn(`${name}: ${(e as Error).message}`));
    this.jobRuns.add(run);
    void run.finally(() => this.jobRuns.delete(run));
  }
}
