import type { Report } from '../diagnose/report.js';
import type { Finding as PolicyFinding } from '../policy/model.js';

/** One service drawn in the topology: a compose service or a portico.yaml service. */
export interface TopologyService {
  name: string;
  kind: 'compose' | 'manifest';
  image?: string;
  tier?: string;
  /** Published ports (compose) or declared endpoints (portico.yaml), as text. */
  ports: Array<{ text: string; beyondLoopback: boolean; hostPort?: number }>;
  networks: string[];
  /** `network_mode` when set (host, service:x): such a service joins no network. */
  networkMode?: string;
}

export interface TopologyNetwork {
  name: string;
  internal: boolean;
  external: boolean;
}

/** A balancer route of portico-lb.yaml and the services it sends to. */
export interface TopologyRoute {
  name: string;
  /** "api.local /v1", "tcp 127.0.0.1:15432". */
  match: string;
  /** Services of the project the route reaches. */
  targets: string[];
  /** Upstreams or catalog services it names that are not services of the project. */
  unresolved: string[];
}

export interface Topology {
  services: TopologyService[];
  networks: TopologyNetwork[];
  routes: TopologyRoute[];
  /** The balancer configuration the routes came from. */
  lbFile?: string;
}

/** One thing to do, with where to do it: a file position or a command. */
export interface Recommendation {
  priority: 1 | 2 | 3;
  source: 'policy' | 'health';
  /** The policy rule id or the finding code. */
  code: string;
  title: string;
  /** What to change, when the title does not already say it. */
  action?: string;
  /** `file:line:col` (relative to the project folder) or the command that fixes or re-checks it. */
  where: string;
}

/** The network architecture assessment: everything the document shows, in one model. */
export interface Assessment {
  project: string;
  projectDir: string;
  files: string[];
  generatedAt: string;
  topology: Topology;
  health: Report;
  policy: { declared: boolean; rules: string[]; findings: PolicyFinding[] };
  recommendations: Recommendation[];
  summary: { errors: number; warnings: number; notes: number; suppressed: number };
}
