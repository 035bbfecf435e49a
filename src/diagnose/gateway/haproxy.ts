import {
  type GatewayConfig,
  type GatewayRoute,
  type GatewayUpstream,
  gatewayDuration,
  parsedConfig,
  splitHostPort,
} from './model.js';

interface Section {
  kind: string;
  name: string;
  lines: string[][];
}

/** HAProxy timeouts without a unit are milliseconds. */
const ms = (v: string | undefined, fallback: number): number => gatewayDuration(v, fallback, 1);

/**
 * One HAProxy line into words: `"…"` and `'…'` quote (a `#` inside stays), a backslash escapes
 * the next character, and an unquoted, unescaped `#` starts a comment.
 */
export function haproxyWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (ch === '"' || ch === "'") {
      const close = line.indexOf(ch, i + 1);
      const end = close < 0 ? line.length : close;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '#') break;
    else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}

const sectionKinds = [
  'global',
  'defaults',
  'frontend',
  'backend',
  'listen',
  'resolvers',
  'peers',
  'userlist',
  'program',
  'http-errors',
  'ring',
  'cache',
  'mailers',
];

/** A `server` line's address: host:port, or undefined for unix sockets and runtime names. */
function serverUpstream(words: string[], defaults: string[]): GatewayUpstream | undefined {
  const addr = (words[2] ?? '').replace(/^ipv[46]@/, '');
  if (!addr || addr.startsWith('/') || addr.includes('@') || addr.includes('$')) return undefined;
  const u = splitHostPort(addr, 80);
  if (!u) return undefined;
  const params = [...defaults, ...words.slice(3)];
  const checked = params.includes('check') && !params.slice(params.lastIndexOf('check')).includes('no-check');
  return { ...u, ...(params.includes('ssl') ? { tls: true } : {}), ...(checked ? { checked } : {}) };
}

/** Routes of an HAProxy configuration text: frontends' host ACLs → backends' servers and timeouts. */
export function haproxyRoutesFromText(text: string): GatewayRoute[] {
  const sections: Section[] = [];
  for (const raw of text.split('\n')) {
    const words = haproxyWords(raw);
    if (words.length === 0) continue;
    if (sectionKinds.includes(words[0]!)) sections.push({ kind: words[0]!, name: words[1] ?? '', lines: [] });
    else sections.at(-1)?.lines.push(words);
  }
  const defaults = sections.filter((s) => s.kind === 'defaults').flatMap((s) => s.lines);
  const timeoutIn = (lines: string[][], which: string): string | undefined =>
    lines.findLast((l) => l[0] === 'timeout' && l[1] === which)?.[2];
  const hostsFor = new Map<string, string[]>();
  for (const fe of sections.filter((s) => s.kind === 'frontend' || s.kind === 'listen')) {
    const acls = new Map<string, string[]>();
    for (const l of fe.lines)
      if (l[0] === 'acl' && /^(req\.)?hdr(_beg|_end|_dom)?\(host\)$/.test(l[2] ?? ''))
        acls.set(l[1]!, [...(acls.get(l[1]!) ?? []), ...l.slice(3).filter((w) => !w.startsWith('-'))]);
    for (const l of fe.lines) {
      if (l[0] === 'use_backend' && l[1]) {
        const cond = l.slice(3).filter((w) => acls.has(w));
        hostsFor.set(l[1], [...(hostsFor.get(l[1]) ?? []), ...cond.flatMap((c) => acls.get(c)!)]);
      }
    }
  }
  const defaultServer = (lines: string[][]) =>
    lines.filter((l) => l[0] === 'default-server').flatMap((l) => l.slice(1));
  return sections
    .filter((s) => s.kind === 'backend' || s.kind === 'listen')
    .map((be) => {
      const servers = be.lines.filter((l) => l[0] === 'server' && !l.includes('disabled'));
      const dflt = [...defaultServer(defaults), ...defaultServer(be.lines)];
      const upstreams = servers.flatMap((l) => {
        const u = serverUpstream(l, dflt);
        return u ? [u] : [];
      });
      const dynamic = be.lines.some((l) => l[0] === 'server-template') || servers.length > upstreams.length;
      return {
        name: `haproxy ${be.kind} ${be.name}`,
        hosts: hostsFor.get(be.name) ?? [],
        pathPrefix: '/',
        upstreams,
        ...(dynamic && upstreams.length === 0
          ? { dynamic: 'its servers are unix sockets, environment variables or server-template entries' }
          : {}),
        readTimeoutMs: ms(timeoutIn(be.lines, 'server') ?? timeoutIn(defaults, 'server'), 30_000),
        connectTimeoutMs: ms(timeoutIn(be.lines, 'connect') ?? timeoutIn(defaults, 'connect'), 5000),
        activeHealthChecks: upstreams.some((u) => u.checked),
      };
    });
}

/** Routes of an HAProxy configuration (HAProxy has no include: one file). */
export function haproxyRoutes(text: string, file: string): GatewayConfig {
  return parsedConfig('haproxy', file, haproxyRoutesFromText(text), [file]);
}
