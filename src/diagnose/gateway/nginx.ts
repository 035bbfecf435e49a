import { type GatewayConfig, type GatewayRoute, gatewayDuration, splitHostPort } from './model.js';

interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

/** nginx.conf into directives: words, quotes, `;`, `{ }`, `#` comments. */
export function parseNginx(text: string): Directive[] {
  const tokens = text.replace(/#[^\n]*/g, '').match(/"[^"]*"|'[^']*'|[{};]|[^\s{};]+/g) ?? [];
  let i = 0;
  const block = (): Directive[] => {
    const out: Directive[] = [];
    let words: string[] = [];
    while (i < tokens.length) {
      const t = tokens[i++]!;
      if (t === ';') {
        if (words.length) out.push({ name: words[0]!, args: words.slice(1) });
        words = [];
      } else if (t === '{') {
        out.push({ name: words[0] ?? '', args: words.slice(1), block: block() });
        words = [];
      } else if (t === '}') return out;
      else words.push(t.replace(/^["']|["']$/g, ''));
    }
    return out;
  };
  return block();
}

/** Routes of an nginx configuration: server_name × location → proxy_pass upstreams and timeouts. */
export function nginxRoutes(text: string, file: string): GatewayConfig {
  const top = parseNginx(text);
  const http = top.find((d) => d.name === 'http')?.block ?? top;
  const upstreams = new Map<string, Array<{ host: string; port: number }>>();
  for (const u of http.filter((d) => d.name === 'upstream' && d.block)) {
    upstreams.set(
      u.args[0]!,
      u
        .block!.filter((d) => d.name === 'server')
        .flatMap((d) => (splitHostPort(d.args[0]!, 80) ? [splitHostPort(d.args[0]!, 80)!] : [])),
    );
  }
  const get = (list: Directive[] | undefined, name: string): string | undefined =>
    list?.find((d) => d.name === name)?.args[0];
  const routes: GatewayRoute[] = [];
  for (const server of http.filter((d) => d.name === 'server' && d.block)) {
    const hosts = server.block!.filter((d) => d.name === 'server_name').flatMap((d) => d.args);
    for (const loc of server.block!.filter((d) => d.name === 'location' && d.block)) {
      const pass = get(loc.block, 'proxy_pass');
      if (!pass) continue;
      const target = pass.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      const ups =
        upstreams.get(target) ??
        (splitHostPort(target, pass.startsWith('https') ? 443 : 80) ? [splitHostPort(target, 80)!] : []);
      const timeout = (name: string): number =>
        gatewayDuration(get(loc.block, name) ?? get(server.block, name) ?? get(http, name), 60_000);
      const prefix = loc.args[loc.args.length - 1] ?? '/';
      routes.push({
        name: `nginx server ${hosts.join(' ') || '_'} location ${prefix}`,
        hosts,
        pathPrefix: prefix,
        upstreams: ups,
        readTimeoutMs: timeout('proxy_read_timeout'),
        connectTimeoutMs: timeout('proxy_connect_timeout'),
        activeHealthChecks: false, // nginx OSS: passive only
      });
    }
  }
  return { kind: 'nginx', file, routes };
}
