import { type GatewayConfig, type GatewayRoute, gatewayDuration, splitHostPort } from './model.js';

interface Section {
  kind: string;
  name: string;
  lines: string[][];
}

/** HAProxy timeouts without a unit are milliseconds. */
const ms = (v: string | undefined, fallback: number): number => gatewayDuration(v, fallback, 1);

/** Routes of an HAProxy configuration: frontends' host ACLs → backends' servers and timeouts. */
export function haproxyRoutes(text: string, file: string): GatewayConfig {
  const sections: Section[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const words = line.split(/\s+/);
    if (['global', 'defaults', 'frontend', 'backend', 'listen'].includes(words[0]!))
      sections.push({ kind: words[0]!, name: words[1] ?? '', lines: [] });
    else sections.at(-1)?.lines.push(words);
  }
  const defaults = sections.filter((s) => s.kind === 'defaults').flatMap((s) => s.lines);
  const timeoutIn = (lines: string[][], which: string): string | undefined =>
    lines.findLast((l) => l[0] === 'timeout' && l[1] === which)?.[2];
  const hostsFor = new Map<string, string[]>();
  for (const fe of sections.filter((s) => s.kind === 'frontend' || s.kind === 'listen')) {
    const acls = new Map<string, string[]>();
    for (const l of fe.lines)
      if (l[0] === 'acl' && /^hdr(_beg|_end)?\(host\)$/.test(l[2] ?? ''))
        acls.set(
          l[1]!,
          l.slice(3).filter((w) => !w.startsWith('-')),
        );
    for (const l of fe.lines) {
      if (l[0] === 'use_backend' && l[1]) {
        const cond = l.slice(3).filter((w) => acls.has(w));
        hostsFor.set(l[1], [...(hostsFor.get(l[1]) ?? []), ...cond.flatMap((c) => acls.get(c)!)]);
      }
    }
  }
  const routes: GatewayRoute[] = sections
    .filter((s) => s.kind === 'backend' || s.kind === 'listen')
    .map((be) => {
      const servers = be.lines.filter((l) => l[0] === 'server');
      return {
        name: `haproxy ${be.kind} ${be.name}`,
        hosts: hostsFor.get(be.name) ?? [],
        pathPrefix: '/',
        upstreams: servers.flatMap((l) => (splitHostPort(l[2] ?? '', 80) ? [splitHostPort(l[2]!, 80)!] : [])),
        readTimeoutMs: ms(timeoutIn(be.lines, 'server') ?? timeoutIn(defaults, 'server'), 30_000),
        connectTimeoutMs: ms(timeoutIn(be.lines, 'connect') ?? timeoutIn(defaults, 'connect'), 5000),
        activeHealthChecks: servers.some((l) => l.includes('check')),
      };
    });
  return { kind: 'haproxy', file, routes };
}
