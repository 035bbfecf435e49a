import { parseCheckSpecFrom } from '../checks/define.js';
import { noSecretPolicy, type SecretPolicy } from '../checks/trust.js';
import type { CheckDefinition, InstanceProtocol } from '../core/model.js';

/**
 * `portico.*` labels on compose services and containers override what discovery infers:
 *   portico.enable=false            skip this service
 *   portico.service=auth-service    service name
 *   portico.port=8080               which container port is the service port
 *   portico.protocol=http           protocol (http, https, grpc, tcp, postgres, redis, mysql)
 *   portico.check=http:/health;tcp  checks, in the CLI's --check syntax, ';'-separated
 *   portico.tags=api,public         tags
 *   portico.meta.<key>=<value>      metadata
 *
 * Labels are untrusted input (they ship inside images from registries): their checks carry the
 * origin `label`, so a `command:` check or a `passwordEnv` outside `PORTICO_*` and the user's
 * `secrets.allowEnv` is rejected with a warning and never stored or run (checks/trust.ts).
 */
export interface LabelOverrides {
  enabled: boolean;
  service?: string;
  port?: number;
  protocol?: InstanceProtocol;
  checks?: CheckDefinition[];
  tags: string[];
  meta: Record<string, string>;
}

const protocols: InstanceProtocol[] = ['tcp', 'udp', 'http', 'https', 'grpc', 'postgres', 'redis', 'mysql'];

/**
 * Invalid or rejected label values are reported through `warn` and ignored, never fatal. When
 * every check of `portico.check` is rejected, the source's default checks apply.
 */
export function readLabels(
  labels: Record<string, string>,
  warn: (message: string) => void,
  secrets: SecretPolicy = noSecretPolicy,
): LabelOverrides {
  const out: LabelOverrides = { enabled: labels['portico.enable'] !== 'false', tags: [], meta: {} };
  if (labels['portico.service']) out.service = labels['portico.service'];
  const port = labels['portico.port'];
  if (port !== undefined) {
    if (/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535) out.port = Number(port);
    else warn(`portico.port "${port}" is not a port`);
  }
  const protocol = labels['portico.protocol'];
  if (protocol !== undefined) {
    if ((protocols as string[]).includes(protocol)) out.protocol = protocol as InstanceProtocol;
    else warn(`portico.protocol "${protocol}" is not one of ${protocols.join(', ')}`);
  }
  const checks = labels['portico.check'];
  if (checks !== undefined) {
    const specs = checks
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean);
    const accepted: CheckDefinition[] = [];
    for (const spec of specs) {
      try {
        accepted.push(parseCheckSpecFrom(spec, 'label', secrets));
      } catch (error) {
        warn(`label portico.check: ${(error as Error).message}`);
      }
    }
    if (accepted.length > 0 || specs.length === 0) out.checks = accepted;
  }
  if (labels['portico.tags'])
    out.tags = labels['portico.tags']
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  for (const [k, v] of Object.entries(labels))
    if (k.startsWith('portico.meta.')) out.meta[k.slice('portico.meta.'.length)] = v;
  return out;
}

const wellKnown: Record<number, InstanceProtocol> = {
  5432: 'postgres',
  6379: 'redis',
  3306: 'mysql',
  80: 'http',
  8080: 'http',
  8000: 'http',
  3000: 'http',
  5000: 'http',
  9090: 'http',
  443: 'https',
  8443: 'https',
};

/** A protocol guess from a well-known container port; tcp when unsure. */
export function guessProtocol(containerPort: number): InstanceProtocol {
  return wellKnown[containerPort] ?? 'tcp';
}
