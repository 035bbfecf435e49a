import { type GatewayConfig, type GatewayRoute, gatewayDuration, splitHostPort } from './model.js';

/** Routes of a Caddyfile: site addresses → reverse_proxy upstreams (and their timeouts). */
export function caddyRoutes(text: string, file: string): GatewayConfig {
  const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim());
  const routes: GatewayRoute[] = [];
  let depth = 0;
  let site: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line) continue;
    if (depth === 0 && line.endsWith('{') && !line.startsWith('{'))
      site = line
        .slice(0, -1)
        .trim()
        .split(/[\s,]+/)
        .filter(Boolean);
    if (depth >= 1 && line.startsWith('reverse_proxy')) {
      const words = line.replace(/\{$/, '').trim().split(/\s+/).slice(1);
      const prefix = words[0]?.startsWith('/') ? words.shift()!.replace(/\*$/, '') : '/';
      const ups = words.flatMap((w) => (splitHostPort(w, 80) ? [splitHostPort(w, 80)!] : []));
      let read = 0;
      let dial = 3000;
      let checks = false;
      if (line.endsWith('{')) {
        for (let j = i + 1, d = 1; j < lines.length && d > 0; j++) {
          const l = lines[j]!;
          if (l.endsWith('{')) d++;
          if (l === '}') d--;
          const [k, v] = l.split(/\s+/);
          if (k === 'response_header_timeout') read = gatewayDuration(v, 0);
          if (k === 'dial_timeout') dial = gatewayDuration(v, 3000);
          if (k === 'health_uri' || k === 'health_path') checks = true;
          if (k === 'to')
            ups.push(
              ...l
                .split(/\s+/)
                .slice(1)
                .flatMap((w) => (splitHostPort(w, 80) ? [splitHostPort(w, 80)!] : [])),
            );
        }
      }
      routes.push({
        name: `caddy site ${site.join(' ')} reverse_proxy ${prefix}`,
        hosts: site
          .map((s) => s.replace(/^https?:\/\//, '').replace(/:\d+$/, ''))
          .filter((h) => h && !h.startsWith(':')),
        pathPrefix: prefix,
        upstreams: ups,
        // Caddy waits for response headers without limit unless response_header_timeout is set.
        readTimeoutMs: read || Number.POSITIVE_INFINITY,
        connectTimeoutMs: dial,
        activeHealthChecks: checks,
      });
    }
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
  }
  return { kind: 'caddy', file, routes };
}
