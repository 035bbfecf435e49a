import { checkDefaults, toCheckDefinition } from '../../checks/define.js';
import type { CheckDefinition } from '../../core/model.js';
import type { Project } from '../../project/index.js';
import type { DatabaseTarget } from './database.js';

const databaseKinds = new Set(['postgres', 'redis', 'mysql']);

/**
 * Databases portico.yaml declares: every endpoint of a service whose protocol is postgres,
 * redis or mysql, checked with the database checks the service declares (credentials by
 * reference: passwordEnv names a variable of this environment), else a plain login attempt.
 */
export function targetsFromManifest(project: Project, env: NodeJS.ProcessEnv): DatabaseTarget[] {
  const manifest = project.manifest;
  if (!manifest) return [];
  const out: DatabaseTarget[] = [];
  for (const [service, spec] of Object.entries(manifest.data.services)) {
    const declared = spec.checks
      .map((c) => toCheckDefinition(c, 'manifest'))
      .filter((c) => databaseKinds.has(c.kind));
    const fallback = databaseKinds.has(spec.protocol) ? [defaultCheck(spec.protocol)] : [];
    for (const check of declared.length > 0 ? declared : fallback) {
      const passwordEnv = 'passwordEnv' in check ? check.passwordEnv : undefined;
      const password = passwordEnv ? env[passwordEnv] : undefined;
      for (const e of spec.endpoints) {
        out.push({
          label: `${service} (portico.yaml)`,
          host: e.address,
          port: 'port' in check && check.port ? check.port : e.port,
          check,
          env: passwordEnv && password !== undefined ? { [passwordEnv]: password } : {},
        });
      }
    }
  }
  return out;
}

function defaultCheck(kind: string): CheckDefinition {
  const common = { id: kind, ...checkDefaults };
  if (kind === 'postgres') return { ...common, kind: 'postgres', user: 'postgres' };
  if (kind === 'mysql') return { ...common, kind: 'mysql', user: 'root' };
  return { ...common, kind: 'redis' };
}
