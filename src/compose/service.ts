import { existsSync, readFileSync } from 'node:fs';
import { tryParseDuration } from '../core/duration.js';
import { PorticoError } from '../core/errors.js';
import { parseDotEnv } from './dotenv.js';
import { keyValueMap } from './merge.js';
import type { ComposeHealthcheck, ComposeService, PortOrigin, PublishedPort } from './model.js';
import { type PortSpec, parseLongPort, parseShortPort } from './port-spec.js';
import { type EnvFileRef, PortEntry } from './read-file.js';

/** A merged, validated service definition → Portico's typed service. */
export function toService(
  name: string,
  svc: Record<string, unknown>,
  shell: Record<string, string | undefined> = {},
): ComposeService {
  const entries = dedupePorts((svc.ports as PortEntry[] | undefined) ?? []);
  const out: ComposeService = {
    name,
    ports: entries.flatMap((entry) => portsOf(entry, name)),
    expose: exposeOf(svc.expose),
    networks: networksOf(svc),
    labels: keyValueMap(svc.labels),
    environment: environmentOf(svc, shell),
    dependsOn: Array.isArray(svc.depends_on)
      ? svc.depends_on.map(String)
      : Object.keys((svc.depends_on as object | null) ?? {}),
    profiles: Array.isArray(svc.profiles) ? svc.profiles.map(String) : [],
  };
  if (typeof svc.image === 'string') out.image = svc.image;
  if (typeof svc.container_name === 'string') out.containerName = svc.container_name;
  if (typeof svc.network_mode === 'string') out.networkMode = svc.network_mode;
  if (svc.healthcheck && typeof svc.healthcheck === 'object')
    out.healthcheck = healthcheckOf(svc.healthcheck as Record<string, unknown>);
  return out;
}

/** compose-go's unicity rule: a later entry with the same key replaces an earlier one in place. */
function dedupePorts(entries: PortEntry[]): PortEntry[] {
  const out: PortEntry[] = [];
  const at = new Map<string, number>();
  for (const e of entries) {
    if (!(e instanceof PortEntry)) continue;
    const v = e.value as Record<string, unknown>;
    const key =
      typeof e.value === 'object' && e.value !== null
        ? `${v.host_ip ?? '0.0.0.0'}:${v.published ?? ''}:${v.target}/${v.protocol ?? 'tcp'}`
        : String(e.value);
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, out.length);
      out.push(e);
    } else out[i] = e;
  }
  return out;
}

function portsOf(entry: PortEntry, service: string): PublishedPort[] {
  const o = entry.origin;
  const where = `${o.file}:${o.line}: services.${service}.ports[${o.index}]`;
  const spec =
    o.syntax === 'long'
      ? parseLongPort(entry.value as Record<string, unknown>, where, o.raw)
      : parseShortPort(String(entry.value), where, o.raw);
  const origin: PortOrigin = {
    file: o.file,
    line: o.line,
    service,
    index: o.index,
    syntax: o.syntax,
    raw: o.raw,
  };
  const variable = hostPortVariable(spec, entry);
  if (variable) origin.variable = variable;
  return expand(spec, origin);
}

/**
 * The variable the host port's characters came from, also when it holds more than the port
 * (`SENTRY_BIND=127.0.0.1:9000` in `"${SENTRY_BIND}:9000"`): then `portOffset` says where the
 * port starts inside the variable's value.
 */
function hostPortVariable(spec: PortSpec, entry: PortEntry): PortOrigin['variable'] | undefined {
  const at = spec.hostPortAt;
  const interp = entry.origin.interpolated;
  if (!at || !interp) return undefined;
  const span = interp.spans.find((s) => s.name && s.start <= at.start && at.end <= s.end);
  if (!span) return undefined;
  const envFile = entry.origin.envFile?.keys.has(span.name) ? entry.origin.envFile.path : undefined;
  const whole = span.start === at.start && span.end === at.end;
  return {
    name: span.name,
    ...(envFile ? { envFile } : {}),
    ...(whole ? {} : { portOffset: at.start - span.start }),
  };
}

function expand(spec: PortSpec, origin: PortOrigin): PublishedPort[] {
  const count = spec.containerPorts.end - spec.containerPorts.start + 1;
  const out: PublishedPort[] = [];
  for (let i = 0; i < count; i++) {
    const port: PublishedPort = {
      containerPort: spec.containerPorts.start + i,
      protocol: spec.protocol,
      origin: count > 1 ? { ...origin, rangeOffset: i } : { ...origin },
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

function exposeOf(value: unknown): number[] {
  const out: number[] = [];
  for (const e of Array.isArray(value) ? value : []) {
    const m = /^(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(String(e).trim());
    if (!m) continue; // the schema accepted it; compose passes it to the engine as-is
    const end = Math.min(Number(m[2] ?? m[1]), Number(m[1]) + 65535);
    for (let p = Number(m[1]); p <= end && p <= 65535; p++) if (!out.includes(p)) out.push(p);
  }
  return out;
}

function networksOf(svc: Record<string, unknown>): string[] {
  const n = svc.networks;
  if (Array.isArray(n)) return n.map(String);
  if (n && typeof n === 'object') return Object.keys(n);
  return typeof svc.network_mode === 'string' ? [] : ['default'];
}

/**
 * env_file entries in order, then `environment:` over them, as compose resolves a container's env.
 * A key written without a value (`- NAME`, `NAME:`) takes its value from the shell environment
 * (empty when unset, as `docker-compose config` shows it).
 */
function environmentOf(
  svc: Record<string, unknown>,
  shell: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ref of (svc.env_file as EnvFileRef[] | undefined) ?? []) {
    if (!existsSync(ref.path)) {
      if (!ref.required) continue;
      throw new PorticoError('E_FILE_NOT_FOUND', `${ref.where}: env file ${ref.path} not found`, {
        hint: 'Create it, fix the path, or mark it `required: false`.',
      });
    }
    Object.assign(env, parseDotEnv(readFileSync(ref.path, 'utf8')).values);
  }
  const written = svc.environment;
  const fromShell = (key: string): string => shell[key] ?? '';
  if (Array.isArray(written)) {
    for (const entry of written.map(String)) {
      const eq = entry.indexOf('=');
      if (eq < 0) env[entry] = fromShell(entry);
      else env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (written && typeof written === 'object') {
    for (const [k, v] of Object.entries(written))
      env[k] = v === null || v === undefined ? fromShell(k) : String(v);
  }
  return env;
}

function healthcheckOf(hc: Record<string, unknown>): ComposeHealthcheck {
  let test: string[] = [];
  let disabled = hc.disable === true;
  if (typeof hc.test === 'string') test = ['sh', '-c', hc.test];
  else if (Array.isArray(hc.test)) {
    const [kind, ...rest] = hc.test.map(String);
    if (kind === 'NONE') disabled = true;
    else if (kind === 'CMD-SHELL') test = ['sh', '-c', rest.join(' ')];
    else if (kind === 'CMD') test = rest;
    else if (kind !== undefined) test = [kind, ...rest];
  }
  const ms = (v: unknown): number | undefined =>
    typeof v === 'number'
      ? v / 1e6
      : typeof v === 'string'
        ? tryParseDuration(v, { syntax: 'go' })
        : undefined;
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
