import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { PorticoError } from '../core/errors.js';
import { parseDotEnv } from './dotenv.js';
import { resolveComposeFiles } from './files.js';
import { mergeValues, stripResets, tags } from './merge.js';
import type { ComposeProject, ComposeService } from './model.js';
import {
  type FileModel,
  type IncludeSpec,
  type ReadContext,
  readComposeFile,
  type VariableSource,
} from './read-file.js';
import { toService } from './service.js';

export interface LoadComposeOptions {
  /** Explicit files (-f), in merge order; otherwise discovered like `docker compose` does. */
  files?: string[] | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Enabled profiles (`--profile`, repeatable); when undefined, COMPOSE_PROFILES (comma-separated). */
  profiles?: string[] | undefined;
}

/**
 * Load a compose project as Docker Compose does: resolve its files, read `.env` next to the first
 * one (the process environment wins over it), then for each file interpolate, validate against
 * the compose specification's schema, apply `include:` and `extends:`; merge the files in order,
 * keep the services whose profiles are enabled, and type them.
 */
export async function loadComposeProject(options: LoadComposeOptions): Promise<ComposeProject> {
  const files = resolveComposeFiles(options.files, options.cwd, options.env);
  const workingDir = dirname(files[0]!);
  const envPath = join(workingDir, '.env');
  const dotenv = existsSync(envPath) ? parseDotEnv(readFileSync(envPath, 'utf8')) : undefined;
  const vars: VariableSource = {
    env: { ...dotenv?.values, ...options.env },
    ...(dotenv
      ? {
          envFile: {
            path: envPath,
            keys: new Set(Object.keys(dotenv.values).filter((k) => options.env[k] === undefined)),
          },
        }
      : {}),
  };
  const warnings: string[] = [];
  const model = loadModel(files, { vars, baseDir: workingDir, warnings, includeStack: [], loadIncluded });

  const profiles = options.profiles ?? splitProfiles(vars.env.COMPOSE_PROFILES);
  const active: ComposeService[] = [];
  const inactiveServices: string[] = [];
  for (const [name, raw] of Object.entries(model.services)) {
    const svc = toService(name, stripResets(raw) as Record<string, unknown>, vars.env);
    if (isActive(svc, profiles)) active.push(svc);
    else inactiveServices.push(name);
  }
  const rawName = vars.env.COMPOSE_PROJECT_NAME || model.name || basename(workingDir);
  return {
    name: normalizeProjectName(rawName),
    files,
    workingDir,
    services: active,
    inactiveServices,
    profiles,
    networks: networksOf(model.networks),
    ...(dotenv ? { envFile: envPath } : {}),
    warnings,
  };
}

/** Files merged in order by compose's override rules; the last `name:` wins. */
function loadModel(files: string[], ctx: ReadContext): FileModel {
  let merged: FileModel = { file: files[0]!, services: {}, networks: {} };
  for (const file of files) {
    const next = readComposeFile(file, ctx);
    merged = {
      file: merged.file,
      ...(next.name ? { name: next.name } : merged.name ? { name: merged.name } : {}),
      services: mergeGroup(merged.services, next.services, 'services') as FileModel['services'],
      networks: mergeGroup(merged.networks, next.networks, 'networks'),
    };
  }
  return merged;
}

function mergeGroup(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  group: string,
): Record<string, unknown> {
  const out = { ...base };
  for (const [name, value] of Object.entries(over)) {
    const merged =
      name in base ? mergeValues(base[name], value, [group, name]) : isReset(value) ? undefined : value;
    if (merged === undefined) delete out[name];
    else out[name] = merged ?? {};
  }
  return out;
}

/**
 * An `include:` entry: its files load as a project of their own (their own project directory and
 * `.env` / env_file variables over the including environment) and their resources join ours.
 */
function loadIncluded(spec: IncludeSpec, ctx: ReadContext): FileModel {
  for (const path of spec.paths) {
    if (ctx.includeStack.includes(path)) {
      throw new PorticoError(
        'E_COMPOSE_INVALID',
        `${spec.where}: include cycle detected: ${[...ctx.includeStack, path].join(' → ')}`,
      );
    }
    if (!existsSync(path))
      throw new PorticoError('E_FILE_NOT_FOUND', `${spec.where}: ${path} does not exist`);
  }
  const envFiles = spec.envFiles.length > 0 ? spec.envFiles : [join(spec.projectDirectory, '.env')];
  const fromFiles: Record<string, string> = {};
  const keys = new Set<string>();
  let envFile: string | undefined;
  for (const f of envFiles) {
    if (!existsSync(f)) {
      if (spec.envFiles.length > 0)
        throw new PorticoError('E_FILE_NOT_FOUND', `${spec.where}: env_file ${f} does not exist`);
      continue;
    }
    const parsed = parseDotEnv(readFileSync(f, 'utf8'));
    Object.assign(fromFiles, parsed.values);
    for (const k of Object.keys(parsed.values)) keys.add(k);
    envFile = f;
  }
  const vars: VariableSource = {
    env: { ...ctx.vars.env, ...fromFiles },
    ...(envFile
      ? { envFile: { path: envFile, keys } }
      : ctx.vars.envFile
        ? { envFile: ctx.vars.envFile }
        : {}),
  };
  return loadModel(spec.paths, {
    ...ctx,
    vars,
    baseDir: spec.projectDirectory,
  });
}

function isReset(value: unknown): boolean {
  return value !== null && typeof value === 'object' && tags.reset.has(value);
}

export function splitProfiles(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function isActive(svc: ComposeService, profiles: string[]): boolean {
  return (
    svc.profiles.length === 0 || profiles.includes('*') || svc.profiles.some((p) => profiles.includes(p))
  );
}

function networksOf(raw: Record<string, unknown>): ComposeProject['networks'] {
  const out: ComposeProject['networks'] = {};
  for (const [key, value] of Object.entries(raw)) {
    const spec = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    const ipam = (spec.ipam as { config?: Array<{ subnet?: string }> } | undefined)?.config ?? [];
    out[key] = {
      name: typeof spec.name === 'string' ? spec.name : key,
      external: Boolean(spec.external),
      internal: Boolean(spec.internal),
      ...(typeof spec.driver === 'string' ? { driver: spec.driver } : {}),
      subnets: ipam.flatMap((c) => (typeof c?.subnet === 'string' ? [c.subnet] : [])),
    };
  }
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
    const inactive = project.inactiveServices.includes(name);
    throw new PorticoError(
      'E_COMPOSE_SERVICE_UNKNOWN',
      inactive
        ? `service "${name}" is not active: none of its profiles is enabled`
        : `no service "${name}" in ${project.files.join(', ')}`,
      {
        hint: inactive
          ? 'Enable one of its profiles (--profile NAME or COMPOSE_PROFILES).'
          : `Services: ${project.services.map((s) => s.name).join(', ') || '(none)'}.`,
      },
    );
  }
  return svc;
}
