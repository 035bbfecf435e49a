import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { PorticoError } from '../core/errors.js';
import { isPlainMap, mergeValues, tags } from './merge.js';
import { validateComposeTree } from './validate.js';
import type { Interpolated } from './values.js';
import { interpolateTree } from './values.js';
import { lineAt, pointer, readYamlTree, type YamlTree } from './yaml-tree.js';

type Env = Record<string, string | undefined>;

/** The variables one load interpolates with, and the `.env` file that set some of them. */
export interface VariableSource {
  env: Env;
  envFile?: { path: string; keys: ReadonlySet<string> };
}

/** A `ports:` entry as written, kept whole through merges so its origin survives. */
export class PortEntry {
  constructor(
    readonly value: unknown,
    readonly origin: {
      file: string;
      line: number;
      index: number;
      raw: string;
      syntax: 'short' | 'long';
      /** Variables in the short form's text, or in the long form's `published`. */
      interpolated?: Interpolated;
      envFile?: VariableSource['envFile'];
    },
  ) {}
}

/** An `env_file:` entry with its path resolved where it was written. */
export interface EnvFileRef {
  path: string;
  required: boolean;
  where: string;
}

/** One compose file (with its includes and extends applied), ready to merge with the next. */
export interface FileModel {
  file: string;
  name?: string;
  services: Record<string, Record<string, unknown>>;
  networks: Record<string, unknown>;
}

export interface ReadContext {
  vars: VariableSource;
  /** Relative paths (env_file, extends.file, include) resolve from here. */
  baseDir: string;
  warnings: string[];
  /** Files being included, outermost first (an include cycle is an error). */
  includeStack: string[];
  /** Loads an included project (the caller's loader, to keep this file free of project rules). */
  loadIncluded: (include: IncludeSpec, ctx: ReadContext) => FileModel;
}

export interface IncludeSpec {
  paths: string[];
  projectDirectory: string;
  envFiles: string[];
  where: string;
}

export const RESET = Object.freeze({ reset: true });
tags.reset.add(RESET);

export function readComposeText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PorticoError('E_FILE_NOT_FOUND', `cannot read ${file}`, { cause: error });
  }
}

/** Read, interpolate, validate one file, and resolve its includes and extends. */
export function readComposeFile(file: string, ctx: ReadContext): FileModel {
  const tree = readYamlTree(file, readComposeText(file));
  const { value: data, interpolated } = interpolateTree(tree, ctx.vars.env, ctx.warnings);
  if (data === null || data === undefined) return { file, services: {}, networks: {} };
  validateComposeTree(tree, data);
  const root = applyTags(tree, data) as Record<string, unknown>;

  const services: FileModel['services'] = {};
  for (const [name, svc] of Object.entries(isPlainMap(root.services) ? root.services : {})) {
    services[name] =
      svc === RESET
        ? RESET
        : prepareService(name, (svc ?? {}) as Record<string, unknown>, tree, interpolated, ctx);
  }
  const model: FileModel = {
    file,
    ...(typeof root.name === 'string' ? { name: root.name } : {}),
    services,
    networks: isPlainMap(root.networks) ? root.networks : {},
  };
  applyExtends(model, tree, ctx, new Map([[file, model]]));
  for (const [i, entry] of ((root.include as unknown[]) ?? []).entries()) {
    const where = `${file}:${lineAt(tree, `/include/${i}`)}: include[${i}]`;
    importIncluded(
      model,
      ctx.loadIncluded(includeSpec(entry, ctx.baseDir, where), {
        ...ctx,
        includeStack: [...ctx.includeStack, file],
      }),
      where,
    );
  }
  return model;
}

/** `!reset` drops the value (and, when merged, what earlier files set); `!override` replaces it. */
function applyTags(tree: YamlTree, data: unknown): unknown {
  for (const [ptr, tag] of tree.tags) {
    const parts = ptr
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const key = parts.pop();
    let parent: unknown = data;
    for (const p of parts) parent = (parent as Record<string, unknown> | undefined)?.[p];
    if (key === undefined || !parent || typeof parent !== 'object') continue;
    const holder = parent as Record<string, unknown>;
    if (tag === 'reset') holder[key] = RESET;
    else if (holder[key] && typeof holder[key] === 'object') tags.override.add(holder[key]);
  }
  return data;
}

function prepareService(
  name: string,
  svc: Record<string, unknown>,
  tree: YamlTree,
  interpolated: Map<string, Interpolated>,
  ctx: ReadContext,
): Record<string, unknown> {
  const out = { ...svc };
  const base = pointer(['services', name]);
  if (Array.isArray(svc.ports)) {
    out.ports = svc.ports.map((value, index) => {
      const ptr = `${base}/ports/${index}`;
      const rawValue = valueAt(tree.value, ptr);
      const long = isPlainMap(value);
      const interp = interpolated.get(long ? `${ptr}/published` : ptr);
      return new PortEntry(value, {
        file: tree.file,
        line: lineAt(tree, ptr),
        index,
        raw: long ? JSON.stringify(rawValue) : String(rawValue),
        syntax: long ? 'long' : 'short',
        ...(interp ? { interpolated: interp } : {}),
        ...(ctx.vars.envFile ? { envFile: ctx.vars.envFile } : {}),
      });
    });
    // `ports: !override [...]` must still replace after the entries are wrapped.
    if (tags.override.has(svc.ports)) tags.override.add(out.ports);
  }
  if (svc.env_file !== undefined && svc.env_file !== RESET) {
    const list = Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
    out.env_file = list.map((e, i): EnvFileRef => {
      const entry = typeof e === 'string' ? { path: e } : (e as { path: string; required?: boolean });
      const line = lineAt(tree, Array.isArray(svc.env_file) ? `${base}/env_file/${i}` : `${base}/env_file`);
      return {
        path: resolve(ctx.baseDir, entry.path),
        required: entry.required !== false,
        where: `${tree.file}:${line}: services.${name}.env_file`,
      };
    });
    if (tags.override.has(svc.env_file as object)) tags.override.add(out.env_file);
  }
  return out;
}

function valueAt(root: unknown, ptr: string): unknown {
  let v = root;
  for (const raw of ptr.split('/').slice(1)) {
    v = (v as Record<string, unknown> | undefined)?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/**
 * `extends: svc`, `extends: {service}`, `extends: {file, service}`: the base service (itself
 * resolved first) merged with the local definition by the override rules.
 */
function applyExtends(
  model: FileModel,
  tree: YamlTree,
  ctx: ReadContext,
  files: Map<string, FileModel>,
): void {
  const done = new Set<string>();
  const trees = new WeakMap<FileModel, YamlTree>([[model, tree]]);
  const resolveIn = (m: FileModel, name: string, chain: string[], mTree: YamlTree | undefined): void => {
    const key = `${m.file}#${name}`;
    if (done.has(key)) return;
    const svc = m.services[name]!;
    const ext = svc.extends;
    if (ext === undefined || ext === null) {
      done.add(key);
      return;
    }
    const line = mTree ? lineAt(mTree, `${pointer(['services', name])}/extends`) : 1;
    const where = `${m.file}:${line}: services.${name}.extends`;
    if (chain.includes(key)) {
      throw new PorticoError(
        'E_COMPOSE_INVALID',
        `${where}: circular reference: ${[...chain, key].map((k) => k.replace(`${model.file}#`, '')).join(' → ')}`,
      );
    }
    const ref = typeof ext === 'string' ? { service: ext } : (ext as { service: string; file?: string });
    let baseModel = m;
    let baseTree = mTree;
    if (ref.file) {
      const path = resolve(m === model ? ctx.baseDir : dirname(m.file), ref.file);
      let other = files.get(path);
      if (!other) {
        const otherTree = readYamlTree(path, readComposeTextAt(path, where));
        other = readComposeFileNoExtends(path, otherTree, { ...ctx, baseDir: dirname(path) });
        files.set(path, other);
        trees.set(other, otherTree);
      }
      baseModel = other;
      baseTree = trees.get(other);
    }
    if (!baseModel.services[ref.service]) {
      throw new PorticoError(
        'E_COMPOSE_INVALID',
        `${where}: cannot extend service "${name}" in ${m.file}: service "${ref.service}" not found in ${baseModel.file}`,
      );
    }
    resolveIn(baseModel, ref.service, [...chain, key], baseTree);
    const { extends: _drop, ...local } = svc;
    const base = { ...baseModel.services[ref.service]! };
    // Compose never inherits these from the base (they name other services of the base's file).
    for (const k of ['depends_on', 'links', 'volumes_from']) if (baseModel !== m) delete base[k];
    m.services[name] = mergeValues(base, local, ['services', name]) as Record<string, unknown>;
    done.add(key);
  };
  for (const name of Object.keys(model.services)) resolveIn(model, name, [], tree);
}

function readComposeTextAt(path: string, where: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new PorticoError('E_FILE_NOT_FOUND', `${where}: cannot read ${path}`, { cause: error });
  }
}

/** A file read only as the base of an `extends` (its own extends are resolved lazily by the caller). */
function readComposeFileNoExtends(file: string, tree: YamlTree, ctx: ReadContext): FileModel {
  const { value: data, interpolated } = interpolateTree(tree, ctx.vars.env, ctx.warnings);
  if (data === null || data === undefined) return { file, services: {}, networks: {} };
  validateComposeTree(tree, data);
  const root = applyTags(tree, data) as Record<string, unknown>;
  const services: FileModel['services'] = {};
  for (const [name, svc] of Object.entries(isPlainMap(root.services) ? root.services : {}))
    if (svc !== RESET)
      services[name] = prepareService(name, (svc ?? {}) as Record<string, unknown>, tree, interpolated, ctx);
  return { file, services, networks: {} };
}

function includeSpec(entry: unknown, baseDir: string, where: string): IncludeSpec {
  const long = isPlainMap(entry) ? entry : { path: entry };
  const paths = (Array.isArray(long.path) ? long.path : [long.path]).map((p) => resolve(baseDir, String(p)));
  const envFiles =
    long.env_file === undefined ? [] : Array.isArray(long.env_file) ? long.env_file : [long.env_file];
  const projectDirectory =
    typeof long.project_directory === 'string'
      ? isAbsolute(long.project_directory)
        ? long.project_directory
        : resolve(baseDir, long.project_directory)
      : dirname(paths[0]!);
  return { paths, projectDirectory, envFiles: envFiles.map((f) => resolve(baseDir, String(f))), where };
}

/** Included resources join the model; one defined on both sides is an error, as the spec says. */
function importIncluded(model: FileModel, included: FileModel, where: string): void {
  for (const [name, svc] of Object.entries(included.services)) {
    if (model.services[name]) {
      throw new PorticoError(
        'E_COMPOSE_INVALID',
        `${where}: service "${name}" is defined both in ${model.file} and in the included ${included.file}`,
        {
          hint: 'Compose reports an error when an included resource conflicts with a local one: rename one.',
        },
      );
    }
    model.services[name] = svc;
  }
  for (const [name, net] of Object.entries(included.networks)) {
    if (!(name in model.networks)) model.networks[name] = net;
  }
}
