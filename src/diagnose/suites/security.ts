import { formatHostPort } from '../../core/address.js';
import { httpProbe } from '../../net/http.js';
import type { Listener } from '../../ports/listener.js';
import type { Check, Finding } from '../finding.js';

const databases: Record<number, string> = {
  5432: 'PostgreSQL',
  3306: 'MySQL/MariaDB',
  6379: 'Redis',
  27017: 'MongoDB',
  9200: 'Elasticsearch',
  11211: 'memcached',
  5984: 'CouchDB',
  2379: 'etcd',
};
const admins: Record<number, string> = {
  2375: 'Docker API (no TLS)',
  9901: 'Portico/Envoy admin',
  8500: 'Consul',
  15672: 'RabbitMQ management',
  9090: 'Prometheus',
  8081: 'admin UI',
  4040: 'debug UI',
  9229: 'Node.js inspector',
};
const httpPorts = new Set([80, 3000, 5000, 8000, 8080, 8888]);

function who(l: Listener): string {
  return l.container
    ? `container ${l.container.name}`
    : l.processes[0]
      ? `${l.processes[0].name} (pid ${l.processes[0].pid})`
      : 'an unseen process';
}

/**
 * `troubleshoot security` on this host: databases and admin ports on every interface, plain
 * HTTP served beyond loopback, and a Portico admin endpoint that answers without a token off
 * loopback. Probes go only to 127.0.0.1, never to other addresses.
 */
export function securityChecks(): Check[] {
  return [
    {
      id: 'security.exposure',
      category: 'security',
      title: 'Exposed databases, admin ports and plain HTTP',
      async run(ctx) {
        const { listeners } = await ctx.facts.listeners();
        const open = listeners.filter((l) => l.protocol === 'tcp' && l.scope !== 'loopback');
        ctx.note(`${open.length} TCP listener(s) beyond loopback`);
        const findings: Finding[] = [];
        const seen = new Set<number>();
        for (const l of open) {
          if (seen.has(l.port)) continue;
          seen.add(l.port);
          const where = `${formatHostPort(l.address, l.port)} (${who(l)})`;
          if (databases[l.port]) {
            findings.push({
              code: 'SEC_DATABASE_EXPOSED',
              severity: 'error',
              title: `${databases[l.port]} listens on ${l.scope === 'all' ? 'all interfaces' : l.address} at ${where}`,
              evidence: [
                `${l.protocol}${l.family === 6 ? '6' : ''} ${formatHostPort(l.address, l.port)} held by ${who(l)}`,
              ],
              why: 'Databases are a favourite target: anything that can reach this host can try to log in, and many have weak or no authentication by default.',
              fix: l.container
                ? `Publish it on loopback only (ports: ["127.0.0.1:${l.port}:${l.container.containerPort}"]) or not at all.`
                : 'Bind it to 127.0.0.1 (listen_addresses, bind-address, bind) or firewall the port.',
            });
          } else if (admins[l.port]) {
            findings.push({
              code: 'SEC_ADMIN_EXPOSED',
              severity: l.port === 2375 ? 'error' : 'warning',
              title: `${admins[l.port]} port ${l.port} listens on ${l.scope === 'all' ? 'all interfaces' : l.address} (${who(l)})`,
              evidence: [`${formatHostPort(l.address, l.port)} held by ${who(l)}`],
              why:
                l.port === 2375
                  ? 'An unauthenticated Docker API is root on this host for anyone who reaches it.'
                  : 'Admin and debug interfaces expose internals and often allow changes; they belong on loopback or behind authentication.',
              fix: 'Bind it to 127.0.0.1, put it behind authentication, or firewall it.',
            });
          } else if (httpPorts.has(l.port) && (await servesHttp(l.port, ctx.signal))) {
            findings.push({
              code: 'SEC_PLAINTEXT_HTTP',
              severity: 'info',
              title: `plain HTTP on port ${l.port} is reachable beyond loopback (${who(l)})`,
              evidence: [`${formatHostPort(l.address, l.port)} answers HTTP without TLS`],
              why: 'Credentials and cookies cross the network in clear text.',
              fix: 'Terminate TLS in front of it (portico lb serve --tls-listen …) or bind it to loopback.',
            });
          }
          if (await porticoAdminOpen(l.port, ctx.signal)) {
            findings.push({
              code: 'SEC_PORTICO_ADMIN_OPEN',
              severity: 'error',
              title: `a Portico admin endpoint on ${formatHostPort(l.address, l.port)} answers without authentication`,
              evidence: [
                `GET http://127.0.0.1:${l.port}/status → 200 with a balancer status document, no token asked`,
              ],
              why: 'It discloses every route, upstream address and health state to anyone who can reach the host.',
              fix: 'Keep the admin endpoint on 127.0.0.1 (the default) or set admin.token.',
            });
          }
        }
        return findings;
      },
    },
  ];
}

async function servesHttp(port: number, signal: AbortSignal): Promise<boolean> {
  try {
    const r = await httpProbe({ url: `http://127.0.0.1:${port}/`, method: 'HEAD', timeoutMs: 1000, signal });
    return r.status > 0;
  } catch {
    return false;
  }
}

async function porticoAdminOpen(port: number, signal: AbortSignal): Promise<boolean> {
  if (port !== 9901 && !httpPorts.has(port) && port < 9000) return false;
  try {
    const r = await httpProbe({ url: `http://127.0.0.1:${port}/status`, timeoutMs: 1000, signal });
    return r.status === 200 && r.body.includes('"startedAt"') && r.body.includes('"routes"');
  } catch {
    return false;
  }
}
