import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

/** The balancer configuration files a project folder may hold (what `lb serve --config` reads). */
export const lbConfigNames = ['portico-lb.yaml', 'portico-lb.yml'];

/** One route of portico-lb.yaml as written: read loosely, so a broken route is still seen. */
export interface LbRoute {
  kind: 'http' | 'tcp';
  /** Index in `routes:` or `tcp:`, for locating it. */
  index: number;
  name?: string;
  host?: string;
  pathPrefix?: string;
  listen?: string;
  /** `service:` — a catalog service the route sends to. */
  service?: string;
  upstreams: Array<{ host: string; port?: number; index: number }>;
}

export interface LbRoutes {
  file: string;
  routes: LbRoute[];
  /** Set when the file is not valid YAML: the parser's first message. */
  error?: string;
}

/**
 * The routes of the project's portico-lb.yaml, if it has one. Not validated with the balancer's
 * schema: policy and the report look at what is written (names, hosts, services), and `lb serve`
 * is where a malformed route is an error.
 */
export function readLbRoutes(projectDir: string): LbRoutes | undefined {
  const file = lbConfigNames.map((n) => join(projectDir, n)).find((p) => existsSync(p));
  if (!file) return undefined;
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: false });
  if (doc.errors.length > 0) return { file, routes: [], error: doc.errors[0]!.message.split('\n')[0]! };
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  const routes: LbRoute[] = [];
  for (const [kind, key] of [
    ['http', 'routes'],
    ['tcp', 'tcp'],
  ] as const) {
    const list = Array.isArray(data[key]) ? (data[key] as unknown[]) : [];
    list.forEach((raw, index) => {
      if (!raw || typeof raw !== 'object') return;
      const r = raw as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
      const upstreams = (Array.isArray(r.upstreams) ? r.upstreams : []).flatMap((u, i) => {
        const up = upstreamOf(u);
        return up ? [{ ...up, index: i }] : [];
      });
      routes.push({
        kind,
        index,
        ...opt('name', str(r.name)),
        ...opt('host', str(r.host)),
        ...opt('pathPrefix', str(r.pathPrefix)),
        ...opt('listen', str(r.listen)),
        ...opt('service', str(r.service)),
        upstreams,
      });
    });
  }
  return { file, routes };
}

function opt<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

/** "api:8080", "[::1]:80", or { address, port }. */
function upstreamOf(raw: unknown): { host: string; port?: number } | undefined {
  if (typeof raw === 'string') {
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(raw.trim());
    return m ? { host: m[1]!, port: Number(m[2]) } : { host: raw.trim() };
  }
  if (raw && typeof raw === 'object') {
    const { address, port } = raw as { address?: unknown; port?: unknown };
    if (typeof address === 'string') return { host: address, ...(typeof port === 'number' ? { port } : {}) };
  }
  return undefined;
}
