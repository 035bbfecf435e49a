import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { readGateway } from '../../src/diagnose/gateway/read.js';
import { cliPath, runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { spawnTracked, stopProcess } from '../helpers/processes.js';
import { describeWith } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';

interface Check {
  id: string;
  status: string;
  notes: string[];
  findings: Array<{ code: string; severity: string; title: string; evidence: string[] }>;
}
interface Doc {
  checks: Check[];
}
const findings = (d: Doc) => d.checks.flatMap((c) => c.findings);
const codes = (d: Doc) => findings(d).map((f) => f.code);
const configCheck = (d: Doc) => d.checks.find((c) => c.id === 'api-gateway.config')!;

/** Write files under a fresh folder; returns the folder. */
function project(files: Record<string, string>): string {
  const dir = tempDir('portico-gw-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const troubleshoot = (dir: string, config: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runPortico(['troubleshoot', 'api-gateway', '--config', config, ...extra], {
    cwd: dir,
    env: { PORTICO_HOME: tempDir(), ...env },
  });

/** Every file under a folder, relative, sorted: to prove a read wrote nothing there. */
function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** nginx's temp paths in the test folder, so a running nginx writes nothing elsewhere. */
const nginxTemps = (dir: string) =>
  ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${dir}/run/${t};`)
    .join(' ');

/** A configuration split over a glob include and a relative include, with a quoted #. */
function splitNginx(port: number, api: number[], ok: number, dir = '__DIR__'): Record<string, string> {
  return {
    'nginx.conf': `events {}\nhttp {\n  access_log off;\n  ${nginxTemps(dir)}\n  include upstreams/*.conf;\n  include conf.d/*.conf;\n}\n`,
    'upstreams/api.conf': `upstream api {\n${api.map((p) => `  server 127.0.0.1:${p};`).join('\n')}\n}\n`,
    'conf.d/shop.conf': `server {\n  listen 127.0.0.1:${port};\n  server_name shop.local;\n  add_header X-Note "see #docs; really"; location /api/ { proxy_pass http://api; }\n  location /ok/ { proxy_pass http://127.0.0.1:${ok}; }\n}\n`,
  };
}

function splitProject(port: number, api: number[], ok: number): string {
  const dir = tempDir('portico-gw-');
  for (const [name, text] of Object.entries(splitNginx(port, api, ok, dir))) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  mkdirSync(join(dir, 'run'));
  return dir;
}

describeWith(['nginx'], 'api-gateway reads nginx configurations with nginx -T', () => {
  let alive: TestUpstream;
  let alive2: TestUpstream;
  beforeAll(async () => {
    alive = await startUpstream('alive');
    alive2 = await startUpstream('alive2');
  });

  it('finds a dead upstream declared in an included file, the one nginx really answers 502 for', async () => {
    const dead = await freePort();
    const port = await freePort();
    const dir = splitProject(port, [dead], alive.port);
    const nginx = spawnTracked('nginx', [
      '-c',
      join(dir, 'nginx.conf'),
      '-p',
      `${dir}/run/`,
      '-e',
      join(dir, 'run', 'error.log'),
      '-g',
      `daemon off; pid ${dir}/run/nginx.pid;`,
    ]);
    try {
      const answer = await waitFor(async () => (await request(`http://127.0.0.1:${port}/api/`)).statusCode, {
        what: 'nginx to answer',
      });
      expect(answer).toBe(502);
      const before = listing(dir);
      const r = await troubleshoot(dir, 'nginx.conf', ['--json']);
      expect(r.code).toBe(1);
      const doc = r.json<Doc>();
      const down = findings(doc).find((f) => f.code === 'GW_UPSTREAM_DOWN')!;
      expect(down.title).toContain(`127.0.0.1:${dead} refuses connections`);
      expect(down.evidence[0]).toContain('location /api/');
      const config = configCheck(doc);
      expect(config.notes.join('\n')).toContain(`read by nginx -T -c ${join(dir, 'nginx.conf')}`);
      expect(config.notes.join('\n')).toContain(join(dir, 'upstreams', 'api.conf'));
      expect(codes(doc)).not.toContain('GW_PARSED_BY_PORTICO');
      // Reading it with nginx -T created nothing next to the configuration.
      expect(listing(dir)).toEqual(before);
    } finally {
      await stopProcess(nginx);
    }
  });

  it('nginx -T creates nothing outside its temporary folder: logs, temp folders, pid, compiled defaults', async () => {
    const dir = project({ 'logs/.keep': '' });
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/logs/nginx.pid;\nerror_log ${dir}/logs/error.log;\nevents {}\nhttp {\n  access_log ${dir}/logs/access.log;\n  proxy_temp_path ${dir}/proxy-temp;\n  server { listen 127.0.0.1:${await freePort()}; location / { proxy_pass http://127.0.0.1:${alive.port}; } }\n}\n`,
    );
    // The other temp folders are nginx's compiled-in defaults (Debian: /var/lib/nginx/*).
    const compiled = '/var/lib/nginx';
    const before = { dir: listing(dir), compiled: existsSync(compiled) ? listing(compiled) : [] };
    const g = (await readGateway(dir, 'nginx.conf'))!;
    expect(g.reader.tool).toBe('nginx -T');
    expect(g.problems).toEqual([]);
    expect(listing(dir)).toEqual(before.dir);
    expect(existsSync(compiled) ? listing(compiled) : []).toEqual(before.compiled);
  });

  it('passes the same split configuration when every upstream answers', async () => {
    const dir = splitProject(await freePort(), [alive.port, alive2.port], alive.port);
    const r = await troubleshoot(dir, 'nginx.conf', ['--json']);
    const doc = r.json<Doc>();
    // Only the note that /ok/ has a single upstream: nothing wrong, and /api/ was read from the include.
    expect(codes(doc)).toEqual(['GW_SINGLE_UPSTREAM']);
    expect(r.code).toBe(0);
    expect(doc.checks.map((c) => c.id)).toContain('api-gateway:nginx server shop.local location /api/');
  });

  it('reads proxy_pass https:// as port 443 and keeps explicit ports (through nginx -T)', async () => {
    const dir = project({
      'nginx.conf': `events {}\nhttp { upstream pool { server 127.0.0.1:7001; }\n server { listen 127.0.0.1:${await freePort()};\n  location /a { proxy_pass https://127.0.0.1; }\n  location /b { proxy_pass https://127.0.0.1:8443; }\n  location /c { proxy_pass http://127.0.0.1; }\n  location /d { proxy_pass https://pool; } } }\n`,
    });
    const g = (await readGateway(dir, 'nginx.conf'))!;
    expect(g.reader.tool).toBe('nginx -T');
    expect(g.problems).toEqual([]);
    expect(g.routes.map((r) => r.upstreams)).toEqual([
      [{ host: '127.0.0.1', port: 443, tls: true }],
      [{ host: '127.0.0.1', port: 8443, tls: true }],
      [{ host: '127.0.0.1', port: 80 }],
      [{ host: '127.0.0.1', port: 7001, tls: true }],
    ]);
  });

  it('follows an include that climbs out of the configuration folder (../shared/*.conf)', async () => {
    const dir = project({
      'conf/nginx.conf': 'events {}\nhttp { include ../shared/*.conf; }\n',
      'shared/api.conf': `server { listen 127.0.0.1:${await freePort()}; location /api { proxy_pass http://127.0.0.1:${alive.port}; } }\n`,
    });
    const g = (await readGateway(dir, 'conf/nginx.conf'))!;
    expect(g.reader.tool).toBe('nginx -T');
    expect(g.problems).toEqual([]);
    expect(g.files).toEqual([join(dir, 'conf/nginx.conf'), join(dir, 'shared/api.conf')]);
    expect(g.routes.map((r) => r.upstreams)).toEqual([[{ host: '127.0.0.1', port: alive.port }]]);
  });

  it('a # inside a quoted string does not hide the location after it', async () => {
    const dir = project({
      'nginx.conf': `events {}\nhttp { server { listen 127.0.0.1:${await freePort()}; add_header X-A "x # y"; location /after { proxy_pass http://127.0.0.1:${alive.port}; } } }\n`,
    });
    const g = (await readGateway(dir, 'nginx.conf'))!;
    expect(g.reader.tool).toBe('nginx -T');
    expect(g.routes.map((r) => r.pathPrefix)).toEqual(['/after']);
  });

  it("a configuration nginx rejects is GW_CONFIG_INVALID with nginx's message and file:line", async () => {
    const dir = project({
      'nginx.conf': 'events {}\nhttp {\n  include conf.d/*.conf;\n}\n',
      'conf.d/bad.conf':
        'server {\n  listen 127.0.0.1:1;\n  location / { proxy_passs http://127.0.0.1:2; }\n}\n',
    });
    const r = await troubleshoot(dir, 'nginx.conf', ['--json']);
    expect(r.code).toBe(1);
    const invalid = findings(r.json<Doc>()).find((f) => f.code === 'GW_CONFIG_INVALID')!;
    expect(invalid.severity).toBe('error');
    expect(invalid.title).toContain('unknown directive "proxy_passs"');
    expect(invalid.title).toContain(`${join(dir, 'conf.d', 'bad.conf')}:3`);
  });

  it('refuses an include cycle without running nginx (nginx itself would crash)', async () => {
    const dir = project({
      'nginx.conf': 'events {}\nhttp { include a.conf; }\n',
      'a.conf': 'include b.conf;\n',
      'b.conf': 'include a.conf;\n',
    });
    const r = await troubleshoot(dir, 'nginx.conf', ['--json']);
    expect(r.code).toBe(1);
    const invalid = findings(r.json<Doc>()).find((f) => f.code === 'GW_CONFIG_INVALID')!;
    expect(invalid.title).toMatch(/include cycle: .*a\.conf → .*b\.conf → .*a\.conf/);
  });

  it('an unreadable configuration is a finding (exit 1); a missing --config file is exit 2', async () => {
    const dir = project({ 'conf.d/x.conf': '' });
    const unreadable = await troubleshoot(dir, 'conf.d', ['--json']);
    expect(unreadable.code).toBe(1);
    expect(codes(unreadable.json<Doc>())).toEqual(['GW_CONFIG_UNREADABLE']);
    const missing = await troubleshoot(dir, 'nope.conf', ['--json']);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('E_FILE_NOT_FOUND');
  });

  it('a configuration with no proxy route is a warning, never "nothing wrong found"', async () => {
    const dir = project({
      'nginx.conf': `events {}\nhttp { server { listen 127.0.0.1:${await freePort()}; location / { return 200 "static"; } } }\n`,
    });
    const r = await troubleshoot(dir, 'nginx.conf');
    expect(r.stdout).toContain('GW_NO_ROUTES');
    expect(r.stdout).not.toContain('nothing wrong found');
  });
});

/** An HAProxy configuration in front of `servers` ("check" makes HAProxy health-check them). */
function haproxyCfg(port: number, servers: number[], check: boolean): string {
  const params = check ? ' check inter 100ms fall 1 rise 1' : '';
  return `global\n  log stderr format raw local0 emerg\ndefaults\n  mode http\n  timeout connect 1s\n  timeout client 5s\n  timeout server 5s\n  retries 0\nfrontend web\n  bind 127.0.0.1:${port}\n  default_backend be_api\nbackend be_api\n  balance roundrobin\n${servers.map((s, i) => `  server s${i} 127.0.0.1:${s}${params}`).join('\n')}\n`;
}

describeWith(['haproxy'], 'api-gateway validates HAProxy configurations with haproxy -c', () => {
  let alive: TestUpstream;
  beforeAll(async () => {
    alive = await startUpstream('alive');
  });

  it("a configuration HAProxy rejects is GW_CONFIG_INVALID with HAProxy's message", async () => {
    const dir = project({
      'haproxy.cfg': `${haproxyCfg(await freePort(), [alive.port], true)}  serverx broken 127.0.0.1:1\n`,
    });
    const r = await troubleshoot(dir, 'haproxy.cfg', ['--json']);
    expect(r.code).toBe(1);
    const invalid = findings(r.json<Doc>()).find((f) => f.code === 'GW_CONFIG_INVALID')!;
    expect(invalid.title).toContain(`haproxy rejects ${join(dir, 'haproxy.cfg')}`);
    expect(invalid.evidence.join('\n')).toMatch(
      /\[ALERT\] .*parsing \[.*haproxy\.cfg:15\] : unknown keyword 'serverx'/,
    );
  });

  it('one dead server of a checked backend is a warning: HAProxy routes around it (and really does)', async () => {
    const dead = await freePort();
    const port = await freePort();
    const dir = project({ 'haproxy.cfg': haproxyCfg(port, [alive.port, dead], true) });
    const haproxy = spawnTracked('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]);
    try {
      // Once its check marks the dead server DOWN, every request reaches the live one.
      await waitFor(
        async () => {
          for (let i = 0; i < 6; i++)
            if ((await request(`http://127.0.0.1:${port}/`)).statusCode !== 200) return false;
          return true;
        },
        { what: 'HAProxy to route around the dead server', timeoutMs: 10_000 },
      );
      const r = await troubleshoot(dir, 'haproxy.cfg', ['--json']);
      const doc = r.json<Doc>();
      expect(codes(doc)).toEqual(['GW_UPSTREAM_DOWN_ROUTED_AROUND']);
      const warning = findings(doc)[0]!;
      expect(warning.severity).toBe('warning');
      expect(warning.title).toContain(`127.0.0.1:${dead} refuses connections; haproxy health-checks it`);
      expect(r.code).toBe(0);
      expect(configCheck(doc).notes.join('\n')).toContain('validated by haproxy -c -dr -f');
    } finally {
      await stopProcess(haproxy);
    }
  });

  it('without check, the dead server is an error: HAProxy keeps sending it requests (503s)', async () => {
    const dead = await freePort();
    const port = await freePort();
    const dir = project({ 'haproxy.cfg': haproxyCfg(port, [alive.port, dead], false) });
    const haproxy = spawnTracked('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')]);
    try {
      const statuses = await waitFor(
        async () => {
          const seen: number[] = [];
          for (let i = 0; i < 4; i++) seen.push((await request(`http://127.0.0.1:${port}/`)).statusCode);
          return seen;
        },
        { what: 'HAProxy to answer' },
      );
      expect(statuses).toContain(503);
      const r = await troubleshoot(dir, 'haproxy.cfg', ['--json']);
      expect(r.code).toBe(1);
      expect(codes(r.json<Doc>())).toEqual(['GW_UPSTREAM_DOWN']);
    } finally {
      await stopProcess(haproxy);
    }
  });

  it('passes a checked backend whose servers all answer (validated by haproxy -c)', async () => {
    const dir = project({
      'haproxy.cfg': haproxyCfg(await freePort(), [alive.port, (await startUpstream('b')).port], true),
    });
    const r = await troubleshoot(dir, 'haproxy.cfg', ['--json']);
    const doc = r.json<Doc>();
    expect(codes(doc)).toEqual([]);
    expect(r.code).toBe(0);
    expect(configCheck(doc).notes.join('\n')).toContain('validated by haproxy -c -dr -f');
  });

  it('every server of a checked backend down is an error for each', async () => {
    const dir = project({
      'haproxy.cfg': haproxyCfg(await freePort(), [await freePort(), await freePort()], true),
    });
    const r = await troubleshoot(dir, 'haproxy.cfg', ['--json']);
    expect(r.code).toBe(1);
    expect(codes(r.json<Doc>())).toEqual(['GW_UPSTREAM_DOWN', 'GW_UPSTREAM_DOWN']);
  });

  it('a backend with no servers is GW_ROUTE_NO_UPSTREAMS, though HAProxy accepts it', async () => {
    const dir = project({ 'haproxy.cfg': haproxyCfg(await freePort(), [], true) });
    const r = await troubleshoot(dir, 'haproxy.cfg', ['--json']);
    expect(r.code).toBe(1);
    const doc = r.json<Doc>();
    expect(codes(doc)).toEqual(['GW_ROUTE_NO_UPSTREAMS']);
    expect(findings(doc)[0]!.title).toContain('haproxy backend be_api has no upstream servers');
  });
});

describeWith(['caddy'], 'api-gateway reads Caddyfiles with caddy adapt', () => {
  let alive: TestUpstream;
  beforeAll(async () => {
    alive = await startUpstream('alive');
  });

  it('reads routes from the adapted JSON: imports, a quoted #, https upstreams on 443', async () => {
    const dir = project({
      Caddyfile: `{\n  admin off\n  auto_https off\n}\nimport sites/*.caddy\n`,
      'sites/api.caddy': `http://api.local:8080 {\n  header X-Note "a # b"\n  reverse_proxy /v1/* https://127.0.0.1\n  reverse_proxy /v2/* 127.0.0.1:${alive.port}\n}\n`,
    });
    const g = (await readGateway(dir, 'Caddyfile'))!;
    expect(g.reader.tool).toBe('caddy adapt');
    expect(g.problems).toEqual([]);
    const routes = g.routes.map((r) => [r.hosts, r.pathPrefix, r.upstreams]);
    expect(routes.sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [['api.local'], '/v1/', [{ host: '127.0.0.1', port: 443, tls: true }]],
      [['api.local'], '/v2/', [{ host: '127.0.0.1', port: alive.port }]],
    ]);
  });

  it('caddy catches what only caddy knows: mixed upstream schemes', async () => {
    const dir = project({ Caddyfile: 'http://:8080 {\n  reverse_proxy https://127.0.0.1 127.0.0.1:1\n}\n' });
    const g = (await readGateway(dir, 'Caddyfile'))!;
    expect(g.problems.map((p) => p.code)).toEqual(['GW_CONFIG_INVALID']);
    expect(g.problems[0]!.title).toContain('all proxy upstreams must use the same scheme');
  });

  it('a dead upstream among health-checked live ones is a warning; all live passes', async () => {
    const dead = await freePort();
    const caddyfile = (ports: number[]) =>
      `{\n  admin off\n}\nhttp://:8080 {\n  reverse_proxy ${ports.map((p) => `127.0.0.1:${p}`).join(' ')} {\n    health_uri /health\n  }\n}\n`;
    const sick = project({ Caddyfile: caddyfile([alive.port, dead]) });
    const r = await troubleshoot(sick, 'Caddyfile', ['--json']);
    expect(codes(r.json<Doc>())).toEqual(['GW_UPSTREAM_DOWN_ROUTED_AROUND']);
    expect(r.code).toBe(0);
    const well = project({ Caddyfile: caddyfile([alive.port, (await startUpstream('b')).port]) });
    const ok = await troubleshoot(well, 'Caddyfile', ['--json']);
    expect(codes(ok.json<Doc>())).toEqual([]);
    expect(ok.code).toBe(0);
  });

  it("a Caddyfile caddy rejects is GW_CONFIG_INVALID with caddy's message", async () => {
    const dir = project({
      Caddyfile: 'http://:8080 {\n  reverse_proxy 127.0.0.1:1 {\n    no_such_option 1\n  }\n}\n',
    });
    const r = await troubleshoot(dir, 'Caddyfile', ['--json']);
    expect(r.code).toBe(1);
    const invalid = findings(r.json<Doc>()).find((f) => f.code === 'GW_CONFIG_INVALID')!;
    expect(invalid.evidence.join('\n')).toContain('no_such_option');
  });
});

describeWith(['runuser', { root: true }], 'a configuration this user may not read', () => {
  it('is GW_CONFIG_UNREADABLE (permission denied), exit 1, never a pass', async () => {
    const dir = project({ 'nginx.conf': 'events {}\n' });
    const home = tempDir('portico-home-');
    chmodSync(dir, 0o755);
    chmodSync(home, 0o777);
    chmodSync(join(dir, 'nginx.conf'), 0o600);
    const r = await runAs('nobody', dir, home, [
      'troubleshoot',
      'api-gateway',
      '--config',
      'nginx.conf',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(findings(doc).map((f) => [f.code, f.title])).toEqual([
      [
        'GW_CONFIG_UNREADABLE',
        `cannot read the gateway configuration ${join(dir, 'nginx.conf')}: permission denied`,
      ],
    ]);
  });
});

/** The built CLI as another user (root only), bounded in time. */
function runAs(
  user: string,
  cwd: string,
  home: string,
  args: string[],
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((done) => {
    const child = spawn('runuser', ['-u', user, '--', process.execPath, cliPath, ...args], {
      cwd,
      env: { ...process.env, PORTICO_HOME: home, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout });
    });
  });
}

describe('without the gateway binary, Portico parses and says so', () => {
  // A PATH with nothing on it: the CLI itself runs from process.execPath.
  const noBinaries = { PATH: tempDir('portico-empty-path-') };

  it('nginx: the same includes are followed, the dead upstream found, and a note says nginx did not read it', async () => {
    const dead = await freePort();
    const dir = project(splitNginx(await freePort(), [dead], dead));
    const r = await troubleshoot(dir, 'nginx.conf', ['--json'], noBinaries);
    expect(r.code).toBe(1);
    const doc = r.json<Doc>();
    const note = findings(doc).find((f) => f.code === 'GW_PARSED_BY_PORTICO')!;
    expect(note.severity).toBe('info');
    expect(note.title).toContain(
      'was parsed by Portico, not by nginx (nginx is not installed or not on PATH)',
    );
    expect(
      findings(doc)
        .filter((f) => f.code === 'GW_UPSTREAM_DOWN')
        .map((f) => f.title),
    ).toEqual([expect.stringContaining(`127.0.0.1:${dead}`), expect.stringContaining(`127.0.0.1:${dead}`)]);
  });

  it('a healthy config read by Portico still shows the note (no bare "nothing wrong found")', async () => {
    const alive = await startUpstream('alive');
    const dir = project({
      'haproxy.cfg': haproxyCfg(await freePort(), [alive.port, (await startUpstream('b')).port], true),
    });
    const r = await troubleshoot(dir, 'haproxy.cfg', [], noBinaries);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GW_PARSED_BY_PORTICO');
    expect(r.stdout).toContain('not by haproxy');
    expect(r.stdout).not.toContain('nothing wrong found');
  });

  it("Caddy: the fallback reads imports; a syntax error is named as Portico's parser's", async () => {
    const dir = project({
      Caddyfile: 'import sites/*\n',
      'sites/a': 'http://a.local {\n  reverse_proxy https://127.0.0.1\n}\n',
    });
    const g = (await readGateway(dir, 'Caddyfile', { env: noBinaries }))!;
    expect(g.reader.parsedByPortico).toBe(true);
    expect(g.problems.map((p) => p.code)).toEqual(['GW_PARSED_BY_PORTICO']);
    expect(g.routes[0]!.upstreams).toEqual([{ host: '127.0.0.1', port: 443, tls: true }]);
    const bad = project({ 'nginx.conf': 'http {\n  server {\n' });
    const r = await troubleshoot(bad, 'nginx.conf', ['--json'], noBinaries);
    expect(r.code).toBe(1);
    expect(findings(r.json<Doc>())[0]!.title).toContain("Portico's parser (not nginx itself) rejects");
  });
});
