import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3 } from 'etcd3';
import type { EtcdStore } from '../store/etcd/etcd-store.js';
import { clientOptions } from '../store/etcd/options.js';
import { clusterKeys, type Heartbeat } from './keys.js';

export interface MemberStatus {
  id: string;
  name: string;
  clientUrls: string[];
  peerUrls: string[];
  isLeader: boolean;
  /** Asked directly (it is one of the store URL's endpoints) and answered. */
  reachable: boolean | null;
  version?: string;
  raftIndex?: number;
}

export interface AgentStatus extends Heartbeat {
  /** Milliseconds since its last heartbeat (by this machine's clock). */
  ageMs: number;
  /** Catalog change index now minus the index the agent has seen. */
  lag: number;
  /** No heartbeat for 3 s, or the agent itself reported it could not reach etcd. */
  stale: boolean;
}

export interface ClusterStatus {
  backend: 'etcd';
  endpoints: string[];
  leader: string | null;
  index: number;
  members: MemberStatus[];
  agents: AgentStatus[];
}

const staleAfterMs = 3000;

/** Ask each endpoint of the store URL for its status (bounded), never other addresses. */
async function endpointStatus(store: EtcdStore, url: string) {
  const client = new Etcd3({ ...clientOptions({ ...store.location, hosts: [url] }) });
  try {
    return await Promise.race([
      client.maintenance.status(),
      sleep(store.location.timeoutMs).then(() => undefined),
    ]);
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}

/**
 * The cluster as etcd and the agents see it: members and which one leads (from the endpoints
 * in the store URL), every agent's last heartbeat with its age and how far behind the catalog
 * it is.
 */
export async function readClusterStatus(store: EtcdStore, now = Date.now()): Promise<ClusterStatus> {
  const client = store.client;
  const [members, statuses, beats, index] = await Promise.all([
    client.cluster.memberList({}),
    Promise.all(store.location.hosts.map((h) => endpointStatus(store, h))),
    client.getAll().prefix(clusterKeys.agents(store.root)).strings(),
    store.index(),
  ]);
  const answered = statuses.filter((s) => s !== undefined);
  const leaderId = answered[0]?.leader ?? null;
  const answeredIds = new Set(answered.map((s) => s.header.member_id));
  const given = new Set(store.location.hosts);
  return {
    backend: 'etcd',
    endpoints: store.location.hosts,
    leader: members.members.find((m) => m.ID === leaderId)?.name ?? null,
    index,
    members: members.members.map((m) => {
      const status = answered.find((s) => s.header.member_id === m.ID);
      return {
        id: m.ID,
        name: m.name,
        clientUrls: m.clientURLs,
        peerUrls: m.peerURLs,
        isLeader: m.ID === leaderId,
        reachable: answeredIds.has(m.ID) ? true : m.clientURLs.some((u) => given.has(u)) ? false : null,
        ...(status ? { version: status.version, raftIndex: Number(status.raftIndex) } : {}),
      };
    }),
    agents: Object.values(beats)
      .map((v) => JSON.parse(v) as Heartbeat)
      .map((b) => {
        const ageMs = Math.max(0, now - b.at);
        return { ...b, ageMs, lag: Math.max(0, index - b.seenIndex), stale: b.stale || ageMs > staleAfterMs };
      })
      .sort(
        (a, b) =>
          a.host.localeCompare(b.host) ||
          a.project.localeCompare(b.project) ||
          (a.agent ?? '').localeCompare(b.agent ?? ''),
      ),
  };
}
