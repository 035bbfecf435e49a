import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const timeoutMs = 120_000;

// Two services published on loopback; the gateway in front of them is nginx or HAProxy, not
// Portico's balancer. Nothing listens: the report reads the files and never connects to them.
const compose = `services:
  web:
    image: nginx
    ports: ["127.0.0.1:18081:80"]
  api:
    image: busybox
    ports:
      - target: 8080
        published: "18082"
        host_ip: 127.0.0.1
`;

const gateways: Record<string, { file: string; text: string; routes: Array<[RegExp, string[], string[]]> }> =
  {
    nginx: {
      file: 'nginx.conf',
      text: `events {}
http {
  upstream api_pool { server 127.0.0.1:18082; server 127.0.0.1:18999; }
  server {
    listen 127.0.0.1:18080;
    server_name shop.local;
    location / { proxy_pass http://127.0.0.1:18081; }
    location /api/ { proxy_pass http://api_pool; }
  }
}
`,
      routes: [
        [/location \/$/, ['web'], []],
        [/location \/api\/$/, ['api'], ['127.0.0.1:18999']],
      ],
    },
    haproxy: {
      file: 'haproxy.cfg',
      text: `defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend fe
  bind 127.0.0.1:18080
  use_backend be_api if { path_beg /api/ }
  default_backend be_web
backend be_web
  server w1 127.0.0.1:18081
backend be_api
  server a1 127.0.0.1:18082
  server a2 127.0.0.1:18999
`,
      routes: [
        [/be_web/, ['web'], []],
        [/be_api/, ['api'], ['127.0.0.1:18999']],
      ],
    },
  };

interface Doc {
  topology: { lbFile?: string; routes: Array<{ name: string; targets: string[]; unresolved: string[] }> };
}

describe('portico report: the routes of the project gateway', () => {
  it.each(Object.entries(gateways))(
    'draws the %s routes with the services they reach',
    async (_kind, gateway) => {
      const dir = join(tempDir(), 'gwshop');
      mkdirSync(dir);
      writeFileSync(join(dir, 'compose.yaml'), compose);
      writeFileSync(join(dir, gateway.file), gateway.text);
      const home = tempDir();
      const env = {
        PORTICO_HOME: home,
        DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}`,
        DOCKER_CONTEXT: '',
      };
      const r = await runPortico(['report', '--json'], { cwd: dir, env, timeoutMs });
      expect(r.code, r.stderr).toBeLessThan(2);
      const doc = r.json<Doc>();
      expect(doc.topology.lbFile).toBe(join(dir, gateway.file));
      expect(doc.topology.routes).toHaveLength(gateway.routes.length);
      for (const [name, targets, unresolved] of gateway.routes) {
        const route = doc.topology.routes.find((x) => name.test(x.name));
        expect(route, `a route matching ${name}`).toBeDefined();
        expect(route!.targets).toEqual(targets);
        expect(route!.unresolved).toEqual(unresolved);
      }
    },
    timeoutMs,
  );

  it('prefers portico-lb.yaml when the folder has both', async () => {
    const dir = join(tempDir(), 'gwboth');
    mkdirSync(dir);
    writeFileSync(join(dir, 'compose.yaml'), compose);
    writeFileSync(join(dir, 'nginx.conf'), gateways.nginx!.text);
    writeFileSync(
      join(dir, 'portico-lb.yaml'),
      'listen: 127.0.0.1:18090\nroutes:\n  - name: only\n    upstreams: ["127.0.0.1:18082"]\n',
    );
    const home = tempDir();
    const env = {
      PORTICO_HOME: home,
      DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}`,
      DOCKER_CONTEXT: '',
    };
    const r = await runPortico(['report', '--json'], { cwd: dir, env, timeoutMs });
    const doc = r.json<Doc>();
    expect(doc.topology.lbFile).toBe(join(dir, 'portico-lb.yaml'));
    expect(doc.topology.routes.map((x) => [x.name, x.targets])).toEqual([['only', ['api']]]);
  });
});
