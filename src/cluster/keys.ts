/**
 * Cluster keys beside the catalog, under the same `<prefix>/v1` root (see store/etcd/keys.ts):
 *
 *   <root>/_agents/<host>/<project>/<agent>  an agent's heartbeat (JSON), under its host's lease;
 *                                            <agent> is `<pid>-<random>`, so two agents on one host
 *                                            (same --node) each keep their own
 *   <root>/_leader/<project>/<lease>         a candidate in the project's election (under its
 *                                            host's lease); the oldest leads (election.ts)
 *   <root>/_reservations/names/<name>    a cluster-wide port reservation by name (JSON)
 *   <root>/_reservations/ports/<port>    the same reservation by port (value: the name)
 */
export const clusterKeys = {
  agents: (root: string) => `${root}/_agents/`,
  agent: (root: string, host: string, project: string, agent: string) =>
    `${root}/_agents/${encodeURIComponent(host)}/${encodeURIComponent(project)}/${encodeURIComponent(agent)}`,
  leaderCandidates: (root: string, project: string) => `${root}/_leader/${encodeURIComponent(project)}/`,
  reservationName: (root: string, name: string) => `${root}/_reservations/names/${encodeURIComponent(name)}`,
  reservationNames: (root: string) => `${root}/_reservations/names/`,
  reservationPort: (root: string, port: number) => `${root}/_reservations/ports/${port}`,
};

/** What an agent writes in its heartbeat; `portico cluster status` reads it. */
export interface Heartbeat {
  /** This agent process: `<pid>-<random>` (a pid alone can repeat after a restart). */
  agent: string;
  host: string;
  project: string;
  pid: number;
  listen: string;
  /** When this heartbeat was written (epoch ms, the agent's clock). */
  at: number;
  /** The catalog change index the agent has seen (its feed). */
  seenIndex: number;
  isLeader: boolean;
  /** The agent could not reach etcd at its last attempt before this one. */
  stale: boolean;
  ttlSeconds: number;
}
