// The hand-written configs the generated ones are compared with: what an engineer who knows
// nginx and HAProxy writes by hand for the same features `lb generate` provides for
// `--upstream b1 --upstream b2 --health-path /` (client address and scheme headers to the
// upstreams, never the ones a client planted, WebSocket pass-through, retries on another upstream, the same health checks).
// bench/lb/peers.mjs keeps its leaner peers (fewer features) for the lb bench; they are also
// reported here, as "lb bench peer", to show what those features cost.
// Every remaining difference from the generated files is listed in bench/README.md (exporters).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitPort } from '../lb/peers.mjs';

const tempPaths = (dir) =>
  ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((p) => `${p}_temp_path ${dir}/ref-${p};`)
    .join(' ');

/** nginx 1 worker; the pid file names the master, wrk's load is on its worker (a child). */
export async function nginxReference(dir, port, backends) {
  const conf = join(dir, 'ref-nginx.conf');
  const args = ['-c', conf, '-p', `${dir}/`, '-e', `${dir}/ref-nginx.err`];
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/ref-nginx.pid;
error_log ${dir}/ref-nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  ${tempPaths(dir)}
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream be {
${backends.map((b) => `    server 127.0.0.1:${b} max_fails=3 fail_timeout=5s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      # No trusted proxies: forwarding headers from the client are replaced, never passed on.
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header Forwarded "for=$remote_addr;proto=$scheme";
      proxy_set_header X-Forwarded-Port "";
      proxy_set_header X-Forwarded-Prefix "";
      proxy_set_header X-Forwarded-Server "";
      proxy_set_header X-Forwarded-Ssl "";
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_connect_timeout 2s;
    }
  }
}
`,
  );
  execFileSync('nginx', args);
  await waitPort(port);
  return { pid: () => Number(readFileSync(`${dir}/ref-nginx.pid`, 'utf8')) };
}

/** HAProxy 1 thread, one daemon process (no master-worker), as `lb deploy` starts the generated file. */
export async function haproxyReference(dir, port, backends) {
  const conf = join(dir, 'ref-haproxy.cfg');
  const pidFile = join(dir, 'ref-haproxy.pid');
  writeFileSync(
    conf,
    `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option forwardfor
  option redispatch
  retries 2
  retry-on conn-failure empty-response response-timeout 502 503 504
frontend f
  bind 127.0.0.1:${port}
  # No trusted proxies: forwarding headers from the client are removed, then set here.
  http-request del-header ^x-forwarded- -m reg
  http-request del-header forwarded
  http-request del-header x-real-ip
  http-request set-header X-Real-IP %[src]
  http-request set-header X-Forwarded-Host %[req.hdr(host)] if { req.hdr(host) -m found }
  http-request set-header X-Forwarded-Proto http
  default_backend b
backend b
  balance roundrobin
  option httpchk GET /
${backends.map((b, i) => `  server s${i} 127.0.0.1:${b} check inter 2s rise 2 fall 2`).join('\n')}
`,
  );
  execFileSync('haproxy', ['-f', conf, '-D', '-p', pidFile]);
  await waitPort(port);
  return { pid: () => Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]) };
}
