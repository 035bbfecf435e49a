import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { PorticoError } from '../core/errors.js';
import { parseGoDuration } from './go-duration.js';
import { interpolate } from './interpolate.js';
import type { ComposeHealthcheck, ComposeNetwork, PublishedPort } from './model.js';
import { type PortSpec, parseLongPort, parseShortPort } from './port-spec.js';

type Env = Record<string, string | undefined>;

/** One service as written in one file; fields absent from the file are undefined (for merging). */
export interface PartialService {
  name: string;
  image?: string;
  containerName?: string;
  ports: PublishedPort[];
  expose: number[];
  networks?: string[];
  networkMode?: string;
  healthcheck?: ComposeHealthcheck;
  labels: Record<string, string>;
  environment: Record<string, string>;
  dependsOn: string[];
  profiles?: string[];
}

export interface ParsedFile {
  file: string;
  name?: string;
  services: PartialService[];
  networks: Record<string, ComposeNetwork>;
}

export interface ParseOptions {
  /** Variables for interpolation: the process environment over the .env file. */
  env: Env;
  /** The .env file and the keys it set, so a port from a variable can be fixed in the right file. */
  envFile?: { path: string; keys: ReadonlySet<string> };
  /** Collects non-fatal problems (unset variables). */
  warnings: string[];
}

/** Parse and interpolate one compose file; every error names file:line. */
export function parseComposeFile(file: string, text: string, options: ParseOptions): ParsedFile {
  const { env, envFile, warnings } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    throw new PorticoError('E_COMPOSE_PARSE', `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`, {
      hint: 'Fix the YAML syntax at that line (indentation, quotes, a missing colon).',
    });
  }
  const root = doc.contents;
  if (root === null) return { file, services: [], networks: {} };
  if (!isMap(root)) throw invalid(`${file}:${lineOf(root)}: the top level must be a mapping`);

  const str = (value: unknown, where: string): string => {
    const r = interpolate(String(value), env, where);
    for (const name of r.unset) warnings.push(`${where}: variable ${name} is not set, using ""`);
    return r.value;
  };

  const services: PartialService[] = [];
  const servicesNode = root.get('services', true);
  if (servicesNode !== undefined && servicesNode !== null && !isMap(servicesNode)) {
    throw invalid(`${file}:${lineOf(servicesNode as Node)}: "services" must be a mapping of service names`);
  }
  for (const pair of (servicesNode as YAMLMap | undefined)?.items ?? []) {
    const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const node = pair.value as Node | null;
    const at = `${file}:${lineOf(node ?? (pair.key as Node))}`;
    if (node !== null && !isMap(node)) throw invalid(`${at}: service "${name}" must be a mapping`);
    services.push(parseService(name, node as YAMLMap | null, { file, env, envFile, lineOf, str }));
  }

  const networks: Record<string, ComposeNetwork> = {};
  const networksNode = root.get('networks', true);
  if (isMap(networksNode)) {
    for (const pair of networksNode.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const spec = (isMap(pair.value) ? pair.value.toJSON() : {}) as Record<string, unknown>;
      const ipam = (spec.ipam as { config?: Array<{ subnet?: string }> } | undefined)?.config ?? [];
      networks[key] = {
        name: spec.name ? str(spec.name, `${file}: networks.${key}.name`) : key,
        external: Boolean(spec.external),
        internal: Boolean(spec.internal),
        ...(spec.driver ? { driver: String(spec.driver) } : {}),
        subnets: ipam.flatMap((c) => (c?.subnet ? [str(c.subnet, `${file}: networks.${key}`)] : [])),
      };
    }
  }
  const name = root.get('name');
  return { file, ...(name ? { name: str(name, `${file}: name`) } : {}), services, networks };
}

interface Ctx {
  file: string;
  env: Env;
  envFile: ParseOptions['envFile'];
  lineOf: (node: Node | null | undefined) => number;
  str: (value: unknown, where: string) => string;
}

function parseService(name: string, node: YAMLMap | null, ctx: Ctx): PartialService {
  const svc: PartialService = { name, ports: [], expose: [], labels: {}, environment: {}, dependsOn: [] };
  if (!node) return svc;
  const where = (key: string): string =>
    `${ctx.file}:${ctx.lineOf(node.get(key, true) as Node)}: services.${name}.${key}`;
  const value = (key: string): unknown => {
    const v = node.get(key, true) as Node | undefined;
    return v === undefined || v === null ? undefined : isScalar(v) ? v.value : (v as Node).toJSON();
  };

  if (value('image') !== undefined) svc.image = ctx.str(value('image'), where('image'));
  if (value('container_name') !== undefined)
    svc.containerName = ctx.str(value('container_name'), where('container_name'));
  if (value('network_mode') !== undefined)
    svc.networkMode = ctx.str(value('network_mode'), where('network_mode'));

  const portsNode = node.get('ports', true) as Node | undefined;
  if (portsNode !== undefined && portsNode !== null) {
    if (!isSeq(portsNode)) throw invalid(`${where('ports')} must be a list`);
    portsNode.items.forEach((item, index) => {
      svc.ports.push(...parsePortItem(item as Node, index, name, ctx));
    });
  }
  for (const e of asList(value('expose'))) {
    const m = /^(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(ctx.str(e, where('expose')));
    if (!m) throw invalid(`${where('expose')}: "${String(e)}" is not a port`);
    for (let p = Number(m[1]); p <= Number(m[2] ?? m[1]); p++) svc.expose.push(p);
  }
  const networks = value('networks');
  if (networks !== undefined) {
    svc.networks = (Array.isArray(networks) ? networks : Object.keys(networks as object)).map((n) =>
      ctx.str(n, where('networks')),
    );
  }
  svc.labels = keyValues(value('labels'), (v) => ctx.str(v, where('labels')));
  svc.environment = keyValues(value('environment'), (v) => ctx.str(v, where('environment')));
  const deps = value('depends_on');
  if (deps !== undefined)
    svc.dependsOn = Array.isArray(deps) ? deps.map(String) : Object.keys(deps as object);
  const profiles = value('profiles');
  if (Array.isArray(profiles)) svc.profiles = profiles.map(String);
  const hc = value('healthcheck');
  if (hc !== undefined && hc !== null)
    svc.healthcheck = parseHealthcheck(hc as Record<string, unknown>, (v) =>
      ctx.str(v, where('healthcheck')),
    );
  return svc;
}

function parsePortItem(item: Node, index: number, service: string, ctx: Ctx): PublishedPort[] {
  const line = ctx.lineOf(item);
  const where = `${ctx.file}:${line}: services.${service}.ports[${index}]`;
  let spec: PortSpec;
  let raw: string;
  let syntax: 'short' | 'long';
  if (isScalar(item)) {
    raw = String(item.value);
    syntax = 'short';
    spec = parseShortPort(raw, ctx.env, where);
  } else if (isMap(item)) {
    const plain = item.toJSON() as Record<string, unknown>;
    const interpolated = Object.fromEntries(
      Object.entries(plain).map(([k, v]) => [k, typeof v === 'string' ? ctx.str(v, where) : v]),
    );
    raw = JSON.stringify(plain);
    syntax = 'long';
    spec = parseLongPort(
      interpolated,
      typeof plain.published === 'string' ? plain.published : undefined,
      where,
    );
  } else {
    throw invalid(`${where}: a port must be a string, a number or a mapping`);
  }
  return expand(spec, { file: ctx.file, line, service, index, syntax, raw }, ctx);
}

function expand(spec: PortSpec, origin: PublishedPort['origin'], ctx: Ctx): PublishedPort[] {
  const count = spec.containerPorts.end - spec.containerPorts.start + 1;
  const variable = spec.hostPortVariable
    ? { variable: { name: spec.hostPortVariable, ...envFileOf(ctx, spec.hostPortVariable) } }
    : {};
  const out: PublishedPort[] = [];
  for (let i = 0; i < count; i++) {
    const port: PublishedPort = {
      containerPort: spec.containerPorts.start + i,
      protocol: spec.protocol,
      origin: { ...origin, ...variable, ...(count > 1 ? { rangeOffset: i } : {}) },
    };
    if (spec.hostIp !== undefined) port.hostIp = spec.hostIp;
    if (spec.hostPorts) {
      if (count === 1 && spec.hostPorts.end > spec.hostPorts.start) port.hostPortRange = spec.hostPorts;
      else port.hostPort = spec.hostPorts.start + i;
    }
    out.push(port);
  }
  return out;
}

/** The .env file, when it (and not the process environment) supplied the variable. */
function envFileOf(ctx: Ctx, name: string): { envFile?: string } {
  return ctx.envFile?.keys.has(name) ? { envFile: ctx.envFile.path } : {};
}

function parseHealthcheck(hc: Record<string, unknown>, str: (v: unknown) => string): ComposeHealthcheck {
  let test: string[] = [];
  let disabled = hc.disable === true;
  if (typeof hc.test === 'string') test = ['sh', '-c', str(hc.test)];
  else if (Array.isArray(hc.test)) {
    const [kind, ...rest] = hc.test.map((t) => str(t));
    if (kind === 'NONE') disabled = true;
    else if (kind === 'CMD-SHELL') test = ['sh', '-c', rest.join(' ')];
    else if (kind === 'CMD') test = rest;
    else test = [kind!, ...rest];
  }
  const ms = (v: unknown): number | undefined => (v === undefined ? undefined : parseGoDuration(str(v)));
  const result: ComposeHealthcheck = { test, disabled };
  const interval = ms(hc.interval);
  const timeout = ms(hc.timeout);
  const start = ms(hc.start_period);
  if (interval !== undefined) result.intervalMs = interval;
  if (timeout !== undefined) result.timeoutMs = timeout;
  if (start !== undefined) result.startPeriodMs = start;
  if (typeof hc.retries === 'number') result.retries = hc.retries;
  return result;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** `KEY=value` lists and `KEY: value` maps, as compose accepts for labels and environment. */
function keyValues(value: unknown, str: (v: unknown) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of value) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq < 0) out[text] = '';
      else out[text.slice(0, eq)] = str(text.slice(eq + 1));
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? '' : str(v);
  }
  return out;
}

function invalid(message: string): PorticoError {
  return new PorticoError('E_COMPOSE_INVALID', message, {
    hint: 'See https://docs.docker.com/reference/compose-file/ for the expected shape.',
  });
}
