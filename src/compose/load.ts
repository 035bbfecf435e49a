import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PorticoError } from '../core/errors.js';
import { parseDotEnv } from './dotenv.js';
import { resolveComposeFiles } from './files.js';
import type { ComposeProject, ComposeService } from './model.js';
import { type PartialService, parseComposeFile } from './parse-file.js';

export interface LoadComposeOptions {
  /** Explicit files (-f), in merge order; otherwise discovered like `docker compose` does. */
  files?: string[] | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Load a compose project: resolve its files, read `.env` next to the first one (the process
 * environment wins over it), parse and interpolate every file, and merge them in order.
 */
export async function loadComposeProject(options: LoadComposeOptions): Promise<ComposeProject> {
  const files = resolveComposeFiles(options.files, options.cwd, options.env);
  const workingDir = dirname(files[0]!);
  const envPath = join(workingDir, '.env');
  const dotenv = existsSync(envPath) ? parseDotEnv(readFileSync(envPath, 'utf8')) : undefined;
  const fromProcess = options.env;
  const env: Record<string, string | undefined> = { ...dotenv?.values, ...fromProcess };
  const envKeys = new Set(Object.keys(dotenv?.values ?? {}).filter((k) => fromProcess[k] === undefined));
  const warnings: string[] = [];

  const parsed = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PorticoError('E_FILE_NOT_FOUND', `cannot read ${file}`, { cause: error });
    }
    return parseComposeFile(file, text, {
      env,
      warnings,
      ...(dotenv ? { envFile: { path: envPath, keys: envKeys } } : {}),
    });
  });

  const merged = new Map<string, PartialService>();
  for (const file of parsed) {
    for (const svc of file.services)
      merged.set(svc.name, merged.has(svc.name) ? mergeService(merged.get(svc.name)!, svc) : svc);
  }
  const declaredName = [...parsed].reverse().find((p) => p.name)?.name;
  const rawName = env.COMPOSE_PROJECT_NAME || declaredName || basename(workingDir);
  return {
    name: normalizeProjectName(rawName),
    files,
    workingDir,
    services: [...merged.values()].map(finish),
    networks: Object.assign({}, ...parsed.map((p) => p.networks)),
    ...(dotenv ? { envFile: envPath } : {}),
    warnings,
  };
}

/** Compose's override rules: lists of ports/expose append (deduplicated), maps merge, scalars override. */
function mergeService(base: PartialService, over: PartialService): PartialService {
  const seen = new Set(base.ports.map(portKey));
  return {
    ...base,
    ...definedOnly(over),
    ports: [...base.ports, ...over.ports.filter((p) => !seen.has(portKey(p)))],
    expose: [...new Set([...base.expose, ...over.expose])],
    labels: { ...base.labels, ...over.labels },
    environment: { ...base.environment, ...over.environment },
    dependsOn: [...new Set([...base.dependsOn, ...over.dependsOn])],
    ...(base.networks || over.networks
      ? { networks: [...new Set([...(base.networks ?? []), ...(over.networks ?? [])])] }
      : {}),
  };
}

function portKey(p: ComposeService['ports'][number]): string {
  return `${p.hostIp ?? ''}|${p.hostPort ?? ''}|${p.containerPort}|${p.protocol}`;
}

function definedOnly(svc: PartialService): Partial<PartialService> {
  return Object.fromEntries(
    Object.entries(svc).filter(([, v]) => v !== undefined),
  ) as Partial<PartialService>;
}

function finish(svc: PartialService): ComposeService {
  const networks = svc.networks ?? (svc.networkMode ? [] : ['default']);
  const out: ComposeService = {
    name: svc.name,
    ports: svc.ports,
    expose: svc.expose,
    networks,
    labels: svc.labels,
    environment: svc.environment,
    dependsOn: svc.dependsOn,
    profiles: svc.profiles ?? [],
  };
  if (svc.image !== undefined) out.image = svc.image;
  if (svc.containerName !== undefined) out.containerName = svc.containerName;
  if (svc.networkMode !== undefined) out.networkMode = svc.networkMode;
  if (svc.healthcheck !== undefined) out.healthcheck = svc.healthcheck;
  return out;
}

/** Compose project names: lowercase letters, digits, dashes and underscores. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

/** Find a service by name, with a clear error listing the ones that exist. */
export function requireService(project: ComposeProject, name: string): ComposeService {
  const svc = project.services.find((s) => s.name === name);
  if (!svc) {
    throw new PorticoError(
      'E_COMPOSE_SERVICE_UNKNOWN',
      `no service "${name}" in ${project.files.join(', ')}`,
      {
        hint: `Services: ${project.services.map((s) => s.name).join(', ') || '(none)'}.`,
      },
    );
  }
  return svc;
}
