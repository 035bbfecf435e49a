// Starting and stopping the servers the load-balancer benchmark compares (all on 127.0.0.1).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cli, root } from '../lib/measure.mjs';

export async function waitPort(port, ms = 10_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await new Promise((r) => {
      const s = createConnection(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

function tempPaths(dir) {
  return `client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`;
}

/** One nginx worker serving a fixed small body: a backend that is never the bottleneck. */
export async function nginxBackend(dir, name, port) {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(
    conf,
    `worker_processes 1; pid ${dir}/${name}.pid; error_log ${dir}/${name}.err; events { worker_connections 4096; }
http { access_log off; ${tempPaths(dir)} keepalive_requests 1000000;
  server { listen 127.0.0.1:${port}; location / { return 200 "${name}\\n"; } location /big { return 200 "${'x'.repeat(1000)}"; } } }\n`,
  );
  execFileSync('nginx', ['-c', conf, '-p', `${dir}/`, '-e', `${dir}/${name}.err`]);
  await waitPort(port);
  return {
    name,
    port,
    pid: () => Number(readFileSync(`${dir}/${name}.pid`, 'utf8')),
    stop: () =>
      execFileSync('nginx', ['-c', conf, '-p', `${dir}/`, '-e', `${dir}/${name}.err`, '-s', 'quit']),
  };
}

export async function nginxProxy(dir, port, backends, workers = 1) {
  const conf = join(dir, 'proxy-nginx.conf');
  writeFileSync(
    conf,
    `worker_processes ${workers}; pid ${dir}/proxy-nginx.pid; error_log ${dir}/proxy-nginx.err; events { worker_connections 4096; }
http { access_log off; ${tempPaths(dir)}
  upstream be { ${backends.map((b) => `server 127.0.0.1:${b} max_fails=1 fail_timeout=5s;`).join(' ')} keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection "";
    proxy_next_upstream error timeout http_502 http_503; proxy_connect_timeout 2s; } } }\n`,
  );
  execFileSync('nginx', ['-c', conf, '-p', `${dir}/`, '-e', `${dir}/proxy-nginx.err`]);
  await waitPort(port);
  return {
    stop: () =>
      execFileSync('nginx', ['-c', conf, '-p', `${dir}/`, '-e', `${dir}/proxy-nginx.err`, '-s', 'quit']),
    pid: () => Number(readFileSync(`${dir}/proxy-nginx.pid`, 'utf8')),
  };
}

export async function haproxy(dir, port, backends, threads = 1) {
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(
    conf,
    `global
  nbthread ${threads}
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
  option redispatch
  retries 2
  retry-on conn-failure empty-response response-timeout 502 503
frontend f
  bind 127.0.0.1:${port}
  default_backend b
backend b
  balance roundrobin
  http-reuse always
${backends.map((b, i) => `  server s${i} 127.0.0.1:${b} check inter 1s fall 1 rise 1`).join('\n')}
`,
  );
  execFileSync('haproxy', ['-f', conf, '-D', '-p', `${dir}/haproxy.pid`]);
  await waitPort(port);
  const pid = () => Number(readFileSync(`${dir}/haproxy.pid`, 'utf8').trim().split('\n')[0]);
  return { pid, stop: () => process.kill(pid(), 'SIGTERM') };
}

export async function caddy(dir, port, backends, adminPort) {
  const conf = join(dir, 'Caddyfile');
  writeFileSync(
    conf,
    `{
  admin 127.0.0.1:${adminPort}
  auto_https off
}
http://127.0.0.1:${port} {
  bind 127.0.0.1
  reverse_proxy ${backends.map((b) => `127.0.0.1:${b}`).join(' ')} {
    lb_policy round_robin
    lb_try_duration 2s
    fail_duration 5s
  }
}
`,
  );
  const child = spawn('caddy', ['run', '--config', conf, '--adapter', 'caddyfile'], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: 'ignore',
  });
  await waitPort(port);
  return { pid: () => child.pid, stop: () => child.kill('SIGTERM') };
}

export async function nodeHttpProxy(port, backends) {
  const child = spawn(
    process.execPath,
    [join(root, 'bench/lb/node-http-proxy.mjs'), String(port), ...backends.map(String)],
    { stdio: 'ignore' },
  );
  await waitPort(port);
  return { pid: () => child.pid, stop: () => child.kill('SIGTERM') };
}

/**
 * `portico lb serve` on `port`. `extra` adds flags (`--workers 2`); `options.cli` runs another
 * build (a baseline dist/cli/main.js) and `options.env` adds variables.
 */
export async function portico(dir, port, backends, adminPort, extra = [], options = {}) {
  const child = spawn(
    process.execPath,
    [
      options.cli ?? cli,
      'lb',
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--admin',
      `127.0.0.1:${adminPort}`,
      ...backends.flatMap((b) => ['--upstream', `127.0.0.1:${b}`]),
      '--health-path',
      '/',
      '--health-interval',
      '1s',
      // SIGTERM drains; a benchmark's slow reader must not hold the next peer's port for 10 s.
      '--drain-timeout',
      '2s',
      ...extra,
    ],
    { stdio: 'ignore', env: { ...process.env, PORTICO_HOME: dir, ...options.env } },
  );
  await waitPort(port);
  await waitPort(adminPort);
  return { pid: () => child.pid, stop: () => child.kill('SIGTERM') };
}

const run = promisify(execFile);

/**
 * wrk against 127.0.0.1:port in a child process, awaited (not blocking), so memory sampling goes
 * on during the load: requests/s, p50/p99 in ms, non-2xx/3xx answers and socket errors.
 */
export async function wrk(port, { seconds, connections = 50 }) {
  const { stdout: out } = await run(
    'wrk',
    ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', `http://127.0.0.1:${port}/`],
    { encoding: 'utf8' },
  );
  const ms = (text) => {
    const m = /([\d.]+)(us|ms|s)\b/.exec(text);
    return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : Number.NaN;
  };
  const pct = (p) => ms(new RegExp(`\\s${p}%\\s+(\\S+)`).exec(out)?.[1] ?? '');
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]),
    p50: pct(50),
    p99: pct(99),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1] ?? '',
  };
}

/** The pids of a process's direct children (procfs). */
export function childPids(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Stop a peer and wait until its process is gone, so the next one can bind the same port. */
export async function stopAndWait(peer) {
  const pid = peer.pid();
  peer.stop();
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  process.kill(pid, 'SIGKILL');
}
