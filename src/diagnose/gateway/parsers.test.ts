import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caddyRoutes, caddyRoutesFromJson } from './caddy.js';
import { expandGlob, globMatches } from './glob.js';
import { haproxyRoutes, haproxyWords } from './haproxy.js';
import { splitHostPort } from './model.js';
import { nginxRoutes } from './nginx.js';
import { splitNginxDump } from './nginx-binary.js';
import { ConfSyntaxError, tokenizeNginx } from './nginx-parse.js';

const dir = mkdtempSync(join(tmpdir(), 'portico-gw-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

describe('splitHostPort', () => {
  it('takes the port from the scheme, and an explicit port over it', () => {
    expect(splitHostPort('https://api.internal', 80)).toEqual({ host: 'api.internal', port: 443, tls: true });
    expect(splitHostPort('http://api.internal/v1', 8080)).toEqual({ host: 'api.internal', port: 80 });
    expect(splitHostPort('https://api.internal:8443/x', 80)).toEqual({
      host: 'api.internal',
      port: 8443,
      tls: true,
    });
    expect(splitHostPort('api.internal', 8080)).toEqual({ host: 'api.internal', port: 8080 });
    expect(splitHostPort('[::1]:9000', 80)).toEqual({ host: '::1', port: 9000 });
    expect(splitHostPort('host:99999', 80)).toBeUndefined();
  });
});

describe('nginx parser (the fallback when nginx is absent)', () => {
  it('keeps a # inside quotes and inside a word; drops real comments', () => {
    const words = tokenizeNginx('add_header X "a # b; c" ; return 200 a#b; # gone\nlisten 80;', 'f').map(
      (t) => t.text,
    );
    expect(words).toEqual([
      'add_header',
      'X',
      'a # b; c',
      ';',
      'return',
      '200',
      'a#b',
      ';',
      'listen',
      '80',
      ';',
    ]);
  });

  it('reads a location after a quoted # on the same line', () => {
    const g = nginxRoutes(
      'http { server { add_header X-Note "see #docs"; location /api { proxy_pass http://127.0.0.1:9001; } } }',
      join(dir, 'quoted.conf'),
    );
    expect(g.routes.map((r) => [r.pathPrefix, r.upstreams])).toEqual([
      ['/api', [{ host: '127.0.0.1', port: 9001 }]],
    ]);
  });

  it('proxy_pass https:// is port 443, http:// 80, explicit ports win, upstream blocks resolve', () => {
    const g = nginxRoutes(
      `http { upstream pool { server 10.0.0.1:7000; server 10.0.0.2; server 10.0.0.3:7000 down; }
        server { location /a { proxy_pass https://secure.internal; }
                 location /b { proxy_pass http://plain.internal/x/; }
                 location /c { proxy_pass https://secure.internal:8443; }
                 location /d { proxy_pass http://pool; }
                 location /e { proxy_pass http://$backend; } } }`,
      join(dir, 'ports.conf'),
    );
    expect(g.routes.map((r) => r.upstreams)).toEqual([
      [{ host: 'secure.internal', port: 443, tls: true }],
      [{ host: 'plain.internal', port: 80 }],
      [{ host: 'secure.internal', port: 8443, tls: true }],
      [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 80 },
      ],
      [],
    ]);
    expect(g.routes[4]!.dynamic).toContain('variable');
  });

  it('follows include globs relative to the main file, in sorted order, with nested locations', () => {
    write('inc/nginx.conf', 'events {}\nhttp { include conf.d/*.conf; include upstreams.conf; }\n');
    write('inc/upstreams.conf', 'upstream api { server 127.0.0.1:9100; }\n');
    write('inc/conf.d/b.conf', 'server { server_name b.local; location / { proxy_pass http://api; } }\n');
    write(
      'inc/conf.d/a.conf',
      'server { server_name a.local; location /x { location /x/y { proxy_pass http://127.0.0.1:9200; } } }\n',
    );
    write('inc/conf.d/skip.txt', 'server { location / { proxy_pass http://127.0.0.1:1; } }\n');
    const g = nginxRoutes(
      'events {}\nhttp { include conf.d/*.conf; include upstreams.conf; }\n',
      join(dir, 'inc/nginx.conf'),
    );
    expect(g.files.map((f) => f.slice(dir.length))).toEqual([
      '/inc/nginx.conf',
      '/inc/conf.d/a.conf',
      '/inc/conf.d/b.conf',
      '/inc/upstreams.conf',
    ]);
    expect(g.routes.map((r) => [r.hosts[0], r.pathPrefix, r.upstreams.map((u) => u.port)])).toEqual([
      ['a.local', '/x/y', [9200]],
      ['b.local', '/', [9100]],
    ]);
  });

  it('refuses an include cycle and names it; a missing include names the file and line', () => {
    write('cycle/nginx.conf', 'http {\n include a.conf;\n}\n');
    write('cycle/a.conf', 'include b.conf;\n');
    write('cycle/b.conf', 'include a.conf;\n');
    expect(() => nginxRoutes('http {\n include a.conf;\n}\n', join(dir, 'cycle/nginx.conf'))).toThrow(
      /include cycle: .*a\.conf → .*b\.conf → .*a\.conf/,
    );
    expect(() => nginxRoutes('http {\n\n include missing.conf;\n}\n', join(dir, 'm.conf'))).toThrow(
      /m\.conf:3: include .*missing\.conf/,
    );
  });

  it('reports unbalanced braces with file:line', () => {
    expect(() => nginxRoutes('http {\n server {\n', 'x.conf')).toThrow(ConfSyntaxError);
    expect(() => nginxRoutes('http { }\n}\n', 'y.conf')).toThrow(/y\.conf:2: unexpected "}"/);
  });

  it('splits nginx -T output back into files', () => {
    const files = splitNginxDump(
      '# configuration file /e/nginx.conf:\nevents {}\ninclude x.conf;\n\n# configuration file /e/x.conf:\nhttp {}\n\n',
    );
    expect([...files]).toEqual([
      ['/e/nginx.conf', 'events {}\ninclude x.conf;\n'],
      ['/e/x.conf', 'http {}\n'],
    ]);
  });
});

describe('glob', () => {
  it('matches like glob(3): no hidden files, sorted, wildcards in any segment', () => {
    write('g/sites-a/1.conf', '');
    write('g/sites-b/2.conf', '');
    write('g/sites-b/.hidden.conf', '');
    expect(expandGlob(join(dir, 'g/sites-*/*.conf')).map((f) => f.slice(dir.length))).toEqual([
      '/g/sites-a/1.conf',
      '/g/sites-b/2.conf',
    ]);
    expect(globMatches('/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/a.conf')).toBe(true);
    expect(globMatches('/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/sub/a.conf')).toBe(false);
    expect(globMatches('/etc/[ab].conf', '/etc/b.conf')).toBe(true);
  });
});

describe('HAProxy parser (the fallback when haproxy is absent)', () => {
  it('keeps # inside quotes, escapes, and drops comments', () => {
    expect(haproxyWords('  http-response set-header X "a # b" \\#c # comment')).toEqual([
      'http-response',
      'set-header',
      'X',
      'a # b',
      '#c',
    ]);
  });

  it('marks checked servers (check, default-server check) and ssl ones', () => {
    const g = haproxyRoutes(
      'backend be\n  default-server inter 1s\n  server a 127.0.0.1:9001 check\n  server b 127.0.0.1:9002 ssl\n  server c 127.0.0.1:9003 disabled\nbackend be2\n  default-server check\n  server d 127.0.0.1:9004\nbackend empty\n',
      'haproxy.cfg',
    );
    expect(g.routes.map((r) => r.upstreams)).toEqual([
      [
        { host: '127.0.0.1', port: 9001, checked: true },
        { host: '127.0.0.1', port: 9002, tls: true },
      ],
      [{ host: '127.0.0.1', port: 9004, checked: true }],
      [],
    ]);
    expect(g.routes[2]!.dynamic).toBeUndefined();
  });
});

describe('Caddyfile parser (the fallback when caddy is absent)', () => {
  it('keeps # inside quotes, takes https upstreams as 443, follows import of files and snippets', () => {
    write('caddy/sites/api.caddy', 'api.local {\n  import proxy\n}\n');
    const main = write(
      'caddy/Caddyfile',
      '(proxy) {\n  reverse_proxy https://api.internal 127.0.0.1:9001 {\n    health_uri /health\n  }\n}\nimport sites/*.caddy\nweb.local {\n  header X "a # b" # comment\n  handle /app/* {\n    reverse_proxy 127.0.0.1:9002\n  }\n}\n',
    );
    const g = caddyRoutes(
      '(proxy) {\n  reverse_proxy https://api.internal 127.0.0.1:9001 {\n    health_uri /health\n  }\n}\nimport sites/*.caddy\nweb.local {\n  header X "a # b" # comment\n  handle /app/* {\n    reverse_proxy 127.0.0.1:9002\n  }\n}\n',
      main,
    );
    expect(g.routes.map((r) => [r.hosts, r.pathPrefix, r.upstreams])).toEqual([
      [
        ['api.local'],
        '/',
        [
          { host: 'api.internal', port: 443, tls: true, checked: true },
          { host: '127.0.0.1', port: 9001, checked: true },
        ],
      ],
      [['web.local'], '/app/', [{ host: '127.0.0.1', port: 9002 }]],
    ]);
  });

  it('walks caddy adapt JSON: subroutes, matchers, nanosecond timeouts, health checks', () => {
    const routes = caddyRoutesFromJson({
      apps: {
        http: {
          servers: {
            srv0: {
              routes: [
                {
                  match: [{ host: ['api.local'] }],
                  handle: [
                    {
                      handler: 'subroute',
                      routes: [
                        {
                          match: [{ path: ['/v1/*'] }],
                          handle: [
                            {
                              handler: 'reverse_proxy',
                              health_checks: { active: { uri: '/health' } },
                              transport: {
                                protocol: 'http',
                                response_header_timeout: 2_000_000_000,
                                tls: {},
                              },
                              upstreams: [{ dial: 'api.internal:443' }, { dial: '{env.BACKEND}' }],
                            },
                          ],
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          },
        },
      },
    });
    expect(routes).toMatchObject([
      {
        hosts: ['api.local'],
        pathPrefix: '/v1/',
        upstreams: [{ host: 'api.internal', port: 443, tls: true, checked: true }],
        readTimeoutMs: 2000,
        activeHealthChecks: true,
      },
    ]);
  });
});

describe('nginx write folders (what nginx -T may create, to overlay)', () => {
  it('collects log, pid and temp folders from directives and compiled defaults, not the prefix', async () => {
    const { nginxWriteDirs, nginxWriteDirectivesFromText } = await import('./nginx-sandbox.js');
    write('w/logs/.keep', '');
    write('w/var/.keep', '');
    const text = `pid ${dir}/w/var/nginx.pid;\nhttp { access_log "${dir}/w/logs/a.log" main; access_log off; error_log syslog:server=x;\n proxy_temp_path ${dir}/w/var/proxy; client_body_temp_path rel/body; server { access_log /nonexistent-portico/x.log; } `;
    const found = nginxWriteDirectivesFromText(text, 'nginx.conf');
    expect(found.map((d) => d.name)).toEqual([
      'pid',
      'access_log',
      'access_log',
      'error_log',
      'proxy_temp_path',
      'client_body_temp_path',
      'access_log',
    ]);
    expect(nginxWriteDirs(found, [`${dir}/w/logs/compiled.log`], '/prefix-that-is-temp')).toEqual([
      join(dir, 'w/logs'),
      join(dir, 'w/var'),
    ]);
  });
});
