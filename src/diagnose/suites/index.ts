import { PorticoError } from '../../core/errors.js';
import type { Instance } from '../../core/model.js';
import type { Facts } from '../facts.js';
import type { Check } from '../finding.js';
import { gatewayConfigPath } from '../gateway/read.js';
import { apiGatewayChecks, type GatewayOptions } from './api-gateway.js';
import { connectivityCheck, connectivityChecks } from './connectivity.js';
import { databaseChecks, targetFromUrl, targetsFromCompose } from './database.js';
import { targetsFromManifest } from './database-manifest.js';
import { declaredChecks } from './declared-checks.js';
import { dockerChecks } from './docker.js';
import { noServicesKnown, orSkipped } from './nothing-to-check.js';
import { performanceChecks } from './performance.js';
import { portsChecks } from './ports.js';
import { projectRunningCheck } from './project-running.js';
import { securityChecks } from './security.js';

export interface SuiteOptions {
  cwd: string;
  facts: Facts;
  target?: string;
  files?: string[];
  gateway?: GatewayOptions;
  urls?: string[];
  /** database: the variable holding the password for --url targets (--password-env). */
  passwordEnv?: string;
}

/** Every suite by name: each builds its checks from what it is given and what the facts hold. */
export const suites: Record<string, (o: SuiteOptions) => Promise<Check[]>> = {
  ports: async (o) => portsChecks(o.files),
  checks: async (o) => await declaredChecks(o.facts),
  connectivity: async (o) => {
    if (o.target) return await connectivityChecks(o.target, o.facts);
    // A TTL-only service reports in; it may not listen at all, so it is never probed.
    const instances = (await o.facts.instances())
      .filter((i) => !i.meta.reachable && !isTtlOnly(i))
      .slice(0, 50);
    const checks = instances.map((i) => {
      const http = i.checks.find((c) => c.kind === 'http');
      const scheme =
        http?.scheme ?? (i.protocol === 'http' ? 'http' : i.protocol === 'https' ? 'https' : 'tcp');
      return connectivityCheck({
        input: i.service,
        service: i.service,
        host: i.address,
        port: http?.port ?? i.port,
        scheme,
        path: http?.path ?? '/',
      });
    });
    return orSkipped(checks, 'connectivity', 'Service connectivity', noServicesKnown);
  },
  'api-gateway': async (o) => apiGatewayChecks(o.cwd, o.gateway),
  database: async (o) => {
    const targets = [];
    for (const url of o.urls ?? []) {
      try {
        targets.push(
          targetFromUrl(url, { env: o.facts.env, ...(o.passwordEnv ? { passwordEnv: o.passwordEnv } : {}) }),
        );
      } catch (error) {
        throw new PorticoError(
          'E_USAGE',
          `--url ${url.replace(/\/\/[^@/]*@/, '//***@')}: ${(error as Error).message}`,
        );
      }
    }
    const project = await o.facts.project();
    if (project?.compose) targets.push(...targetsFromCompose(project.compose));
    if (project) targets.push(...targetsFromManifest(project, o.facts.env));
    return orSkipped(
      databaseChecks(targets),
      'database',
      'Databases',
      'no --url given, no compose service with a postgres, mysql/mariadb or redis image and a published port, and no database in portico.yaml',
    );
  },
  docker: async () => [projectRunningCheck(), ...dockerChecks()],
  performance: async (o) =>
    orSkipped(
      performanceChecks((await o.facts.instances()).filter((i) => !isTtlOnly(i))),
      'performance',
      'Service latency',
      noServicesKnown,
    ),
  security: async () => securityChecks(),
};

export const suiteNames = [
  'checks',
  'ports',
  'connectivity',
  'api-gateway',
  'database',
  'docker',
  'performance',
  'security',
  'all',
];

function isTtlOnly(i: Instance): boolean {
  return i.checks.length > 0 && i.checks.every((c) => c.kind === 'ttl');
}

export async function checksFor(suite: string, o: SuiteOptions): Promise<Check[]> {
  if (suite === 'all') {
    const gatewayFound = gatewayConfigPath(o.cwd, o.gateway?.config) !== undefined;
    const names = Object.keys(suites).filter((n) => n !== 'api-gateway' || gatewayFound);
    return (
      await Promise.all(
        names.map((n) => suites[n]!({ ...o, target: n === 'connectivity' ? undefined : o.target })),
      )
    ).flat();
  }
  const build = suites[suite];
  if (!build)
    throw new PorticoError('E_USAGE', `unknown suite "${suite}"`, {
      hint: `Suites: ${suiteNames.join(', ')}.`,
    });
  if (suite === 'connectivity' && !o.target && (await o.facts.instances()).length === 0) {
    throw new PorticoError('E_USAGE', 'connectivity needs a target: a service name, host:port or URL', {
      hint: 'Example: portico troubleshoot connectivity auth-service',
    });
  }
  return await build(o);
}
