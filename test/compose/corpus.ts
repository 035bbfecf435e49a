import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ComposeProject } from '../../src/compose/model.js';
import { tryParseDuration } from '../../src/core/duration.js';

export const corpusDir = fileURLToPath(new URL('../fixtures/compose/corpus/', import.meta.url));

/** One corpus folder: its compose files and how to run it (case.json). */
export interface CorpusCase {
  name: string;
  dir: string;
  description: string;
  /** -f files, relative to dir; default: compose's own discovery (file + override). */
  files?: string[];
  env?: Record<string, string>;
  /** One comparison per run; each may enable profiles or add variables. */
  runs?: Array<{ profiles?: string[]; env?: Record<string, string> }>;
  /** false: docker-compose 1.29 lacks a feature used here; `expect` follows the compose specification. */
  compose?: boolean;
  reason?: string;
  expect?: {
    name?: string;
    services: Record<
      string,
      { ports?: Array<[string, number, number, string]>; environment?: Record<string, string> }
    >;
  };
}

export function corpus(): CorpusCase[] {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = `${corpusDir}${d.name}`;
      return { name: d.name, dir, ...JSON.parse(readFileSync(`${dir}/case.json`, 'utf8')) } as CorpusCase;
    });
}

/** The fields both sides are compared on, per service; every key is one compared field. */
export type Fields = Record<string, Record<string, string>>;

/** Portico's resolved model, flattened to comparable fields. */
export function porticoFields(project: ComposeProject): Fields {
  const out: Fields = {};
  const all = [...project.services.map((s) => s.name), ...project.inactiveServices];
  for (const name of all) out[name] = { active: String(project.services.some((s) => s.name === name)) };
  for (const svc of project.services) {
    const f = out[svc.name]!;
    if (svc.image) f.image = svc.image;
    const ports = svc.ports.map((p) =>
      portKey(
        p.hostIp ?? '',
        p.hostPort ?? (p.hostPortRange ? `${p.hostPortRange.start}-${p.hostPortRange.end}` : ''),
        p.containerPort,
        p.protocol,
      ),
    );
    addPorts(f, ports);
    f.expose = [...svc.expose].sort((a, b) => a - b).join(',');
    f.networks = [...svc.networks].sort().join(',');
    for (const [k, v] of Object.entries(svc.environment)) f[`environment.${k}`] = v;
    const hc = svc.healthcheck;
    if (hc) {
      f['healthcheck.disabled'] = String(hc.disabled);
      if (!hc.disabled) f['healthcheck.test'] = JSON.stringify(hc.test);
      if (hc.intervalMs !== undefined) f['healthcheck.interval'] = String(hc.intervalMs);
      if (hc.timeoutMs !== undefined) f['healthcheck.timeout'] = String(hc.timeoutMs);
      if (hc.startPeriodMs !== undefined) f['healthcheck.start_period'] = String(hc.startPeriodMs);
      if (hc.retries !== undefined) f['healthcheck.retries'] = String(hc.retries);
    }
  }
  return out;
}

/**
 * `docker-compose config` output, flattened the same way. Written independently of Portico's
 * parser: compose prints ports either as mappings or as canonical "IP:HOST:CONTAINER/proto" text.
 * Compose 1.29 prints every service whatever the profiles; a service is active when it has no
 * profiles or one of them is enabled (the rule compose 1.29 applies when it selects services).
 */
export function composeFields(
  config: { services?: Record<string, Record<string, unknown>> },
  profiles: string[],
): Fields {
  const out: Fields = {};
  for (const [name, svc] of Object.entries(config.services ?? {})) {
    const own = (svc.profiles as string[] | undefined) ?? [];
    const active = own.length === 0 || profiles.includes('*') || own.some((p) => profiles.includes(p));
    const f: Record<string, string> = { active: String(active) };
    out[name] = f;
    if (!active) continue;
    if (typeof svc.image === 'string') f.image = svc.image;
    const ports = ((svc.ports as unknown[] | undefined) ?? []).map((p) => {
      if (typeof p === 'object' && p !== null) {
        const m = p as { host_ip?: string; published?: number | string; target: number; protocol?: string };
        return portKey(m.host_ip ?? '', m.published ?? '', m.target, m.protocol ?? 'tcp');
      }
      const text = String(p);
      const slash = text.lastIndexOf('/');
      const proto = slash >= 0 ? text.slice(slash + 1) : 'tcp';
      const parts = (slash >= 0 ? text.slice(0, slash) : text).split(':');
      const container = Number(parts.pop());
      const host = parts.pop() ?? '';
      return portKey(parts.join(':').replace(/^\[|\]$/g, ''), host, container, proto);
    });
    addPorts(f, ports);
    f.expose = ((svc.expose as unknown[] | undefined) ?? [])
      .flatMap((e) => {
        const [a, b = a] = String(e)
          .replace(/\/\w+$/, '')
          .split('-')
          .map(Number);
        return Array.from({ length: b! - a! + 1 }, (_, i) => a! + i);
      })
      .sort((a, b) => a - b)
      .join(',');
    const nets = svc.networks;
    f.networks = (
      Array.isArray(nets)
        ? nets.map(String)
        : nets && typeof nets === 'object'
          ? Object.keys(nets)
          : svc.network_mode
            ? []
            : ['default']
    )
      .sort()
      .join(',');
    for (const [k, v] of Object.entries((svc.environment as Record<string, unknown>) ?? {}))
      f[`environment.${k}`] = v === null ? '' : String(v).replace(/\$\$/g, '$'); // config re-escapes $
    const hc = svc.healthcheck as Record<string, unknown> | undefined;
    if (hc) {
      const test = hc.test;
      const list = Array.isArray(test)
        ? test.map(String)
        : typeof test === 'string'
          ? ['CMD-SHELL', test]
          : [];
      const disabled = hc.disable === true || list[0] === 'NONE';
      f['healthcheck.disabled'] = String(disabled);
      if (!disabled)
        f['healthcheck.test'] = JSON.stringify(
          list[0] === 'CMD'
            ? list.slice(1)
            : list[0] === 'CMD-SHELL'
              ? ['sh', '-c', list.slice(1).join(' ')]
              : list,
        );
      for (const key of ['interval', 'timeout', 'start_period']) {
        if (hc[key] !== undefined)
          f[`healthcheck.${key}`] = String(tryParseDuration(String(hc[key]), { syntax: 'go' }));
      }
      if (hc.retries !== undefined) f['healthcheck.retries'] = String(hc.retries);
    }
  }
  return out;
}

function portKey(hostIp: string, host: number | string, container: number, protocol: string): string {
  return `${hostIp}|${host}|${container}|${protocol}`;
}

/** Ports as one field each (order does not matter to the engine), plus their count. */
function addPorts(f: Record<string, string>, ports: string[]): void {
  f['ports.count'] = String(ports.length);
  for (const p of ports) f[`ports[${p}]`] = String((Number(f[`ports[${p}]`]) || 0) + 1);
}

/** Field-by-field differences ("svc.field: portico=… compose=…"), and how many fields were compared. */
export function diffFields(portico: Fields, compose: Fields): { compared: number; differences: string[] } {
  const differences: string[] = [];
  let compared = 0;
  for (const svc of new Set([...Object.keys(portico), ...Object.keys(compose)])) {
    const a = portico[svc] ?? {};
    const b = compose[svc] ?? {};
    if (!portico[svc] || !compose[svc]) {
      compared++;
      differences.push(`${svc}: ${portico[svc] ? 'only in Portico' : 'only in compose'}`);
      continue;
    }
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      compared++;
      if (a[key] !== b[key]) differences.push(`${svc}.${key}: portico=${a[key]} compose=${b[key]}`);
    }
  }
  return { compared, differences };
}
