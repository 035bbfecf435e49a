import { action } from './action.js';
import { type Command, Option } from './commander.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `portico lb …`: the embedded load balancer. */
/** The pickers, as the balancer's schema names them (kept here: CLI groups load no balancer code). */
const algorithms = ['round-robin', 'weighted-round-robin', 'least-conn', 'p2c-ewma', 'consistent-hash'];

export function registerLb(program: Command): void {
  const lb = program
    .command('lb')
    .description(
      'embedded HTTP/WebSocket/TCP load balancer with health checks, retries, circuit breaking, TLS; nginx/HAProxy/Caddy configs',
    )
    .addHelpText(
      'after',
      `
Examples:
  portico lb serve --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002 --health-path /health
  portico lb serve --catalog                      route <service>.localhost to the catalog's instances
  portico lb serve --config portico-lb.yaml       routes by host and path, TCP listeners, TLS
  portico lb serve --config portico-lb.yaml --workers auto
                                                  one worker process per CPU on the same sockets
  portico lb status                               upstreams, health, slow start, panic, ejections,
                                                  traffic share (last 60 s and since start)
  portico lb test default -n 2000 -c 20           bounded load; distribution vs expected share ±5%
  portico lb generate --target nginx -o nginx.conf --config portico-lb.yaml
                                                  the same routes as an nginx/HAProxy/Caddy config
  portico lb deploy --target haproxy --to haproxy.cfg --config portico-lb.yaml [--dry-run]
                                                  validate, write with a backup, reload, roll back
  portico lb sync --target haproxy --to haproxy.cfg --from-catalog --watch
                                                  follow the catalog through HAProxy's runtime API`,
    );

  lb.command('serve')
    .description(
      'run the balancer (loopback by default) until Ctrl-C or SIGTERM (then drain); SIGHUP reloads --config',
    )
    .option('--config <file>', 'portico-lb.yaml with routes, TCP listeners, TLS, policies')
    .option('--listen <host:port>', 'where to listen (default 127.0.0.1:8080)')
    .option('--upstream <host:port>', 'an upstream (repeatable)', collect)
    .addOption(
      new Option('--mode <mode>', 'http (with WebSocket; the default) or tcp (layer 4)').choices([
        'http',
        'tcp',
      ]),
    )
    .addOption(new Option('--algorithm <name>', 'picker').choices(algorithms))
    .option('--health-path <path>', 'active HTTP health check path (default: TCP connect checks)')
    .option('--health-interval <time>', 'active health check interval (default 2s)')
    .option('--no-health', 'no active health checks (passive ejection still applies)')
    .option('--hash-header <name>', 'consistent-hash on this request header')
    .option('--hash-cookie <name>', 'consistent-hash on this cookie')
    .option('--hash-ip', 'consistent-hash on the client IP')
    .option('--catalog', 'route <service>.localhost to the catalog')
    .option('--store <url>', 'catalog location (sqlite:///path.db)')
    .option('--tls-listen <host:port>', 'also serve HTTPS here, with certificates from the development CA')
    .option('--redirect-http', 'answer plain HTTP with a redirect to HTTPS')
    .option('--admin <host:port>', 'admin endpoint: /status, /metrics (default 127.0.0.1:9901)')
    .option('--no-admin', 'no admin endpoint')
    .option(
      '--admin-token-env <name>',
      'require a bearer token on the admin endpoint, read from this variable',
    )
    .option('--admin-token-file <path>', 'require a bearer token on the admin endpoint, read from this file')
    .option(
      '--drain-timeout <time>',
      'on Ctrl-C/SIGTERM, how long in-flight requests may finish before they are cut (default 10s)',
    )
    .option('--access-log <target>', 'JSON access log: stderr, stdout or a file path')
    .option('--upstream-header <name>', 'add a response header naming the upstream that answered')
    .option(
      '--workers <n|auto>',
      "worker processes sharing the listeners (auto: one per CPU); one health checker, admin and access log for all (default: the file's workers:, else 1)",
    )
    .action(
      action(async (ctx, opts) => (await import('../balancer/commands/serve.js')).serveCommand(ctx, opts)),
    );

  lb.command('status')
    .description("the running balancer's routes, upstreams, health, ejections and traffic share")
    .option(
      '--admin <host:port>',
      "admin endpoint (default: the balancer this project's agent watches, else 127.0.0.1:9901)",
    )
    .option('--no-agent', "don't ask a running agent where the balancer is")
    .option('--admin-token <token>', 'bearer token (visible to other users in ps: prefer the two below)')
    .option('--admin-token-env <name>', 'bearer token from this environment variable')
    .option('--admin-token-file <path>', 'bearer token from this file')
    .action(
      action(async (ctx, opts) =>
        (await import('../balancer/commands/status.js')).statusCommand(ctx, opts as never),
      ),
    );

  lb.command('test')
    .description('send a bounded load through the balancer: distribution per upstream, latency, errors')
    .argument('<target>', 'a route name, or a URL')
    .option('-n, --requests <n>', 'how many requests', '1000')
    .option('-c, --concurrency <n>', 'how many at once', '10')
    .option('--tolerance <percent>', 'allowed deviation from the expected share, in points', '5')
    .option('--max-time <time>', 'stop after this long', '60s')
    .option('--admin <host:port>', 'admin endpoint', '127.0.0.1:9901')
    .option('--admin-token <token>', 'bearer token (visible to other users in ps: prefer the two below)')
    .option('--admin-token-env <name>', 'bearer token from this environment variable')
    .option('--admin-token-file <path>', 'bearer token from this file')
    .action(
      action(async (ctx, opts, target: string) =>
        (await import('../balancer/commands/test-load.js')).testCommand(ctx, opts as never, target),
      ),
    );

  lb.command('ca')
    .description('create (once) and show the development CA used for TLS, and how to trust it')
    .action(action(async (ctx) => (await import('../balancer/commands/ca.js')).caCommand(ctx)));

  const exportInputs = (cmd: Command): Command =>
    cmd
      .addOption(
        new Option('--target <gateway>', 'nginx, haproxy, caddy or traefik').choices([
          'nginx',
          'haproxy',
          'caddy',
          'traefik',
        ]),
      )
      .option('--config <file>', 'portico-lb.yaml (the same file lb serve reads)')
      .option('--listen <host:port>', 'where the gateway listens (default 127.0.0.1:8080)')
      .option('--upstream <host:port>', 'an upstream (repeatable)', collect)
      .addOption(new Option('--mode <mode>', 'http or tcp').choices(['http', 'tcp']))
      .addOption(new Option('--algorithm <name>', 'picker').choices(algorithms))
      .option('--health-path <path>', 'active HTTP health check path')
      .option('--health-interval <time>', 'active health check interval (default 2s)')
      .option('--no-health', 'no active health checks')
      .option('--hash-header <name>', 'consistent-hash on this request header')
      .option('--hash-cookie <name>', 'consistent-hash on this cookie')
      .option('--hash-ip', 'consistent-hash on the client IP')
      .option(
        '--from-catalog',
        "routes from the project's catalog (<service>.localhost, and config routes naming a service)",
      )
      .option('--store <url>', 'catalog location (sqlite:///path.db)')
      .option(
        '--tls-listen <host:port>',
        'also serve HTTPS here, with a certificate from the development CA (issued into the runtime folder)',
      )
      .option('--redirect-http', 'answer plain HTTP with a redirect (308) to HTTPS')
      .option('--admin <host:port>', "Caddy only: Caddy's admin API address (default 127.0.0.1:2019)")
      .option('--access-log <target>', 'access log: stderr, stdout or a file path')
      .option('--upstream-header <name>', 'add a response header naming the upstream that answered')
      .option(
        '--workers <n|auto>',
        "nginx worker_processes / HAProxy nbthread (default: the file's workers:, else 1, as lb serve)",
      )
      .option(
        '--runtime-dir <dir>',
        'pid file, temp folders and logs (default: <target>-run next to the file)',
      );

  exportInputs(
    lb
      .command('generate')
      .description(
        'a complete nginx/HAProxy/Caddy configuration, or Traefik file-provider dynamic configuration, from the same inputs as lb serve',
      ),
  )
    .option('-o, --output <file>', 'write here (atomically, with a backup) instead of stdout')
    .addHelpText(
      'after',
      `
Examples:
  portico lb generate --target nginx --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002
  portico lb generate --target haproxy --config portico-lb.yaml -o haproxy.cfg
  portico lb generate --target caddy --from-catalog -o Caddyfile
  portico lb generate --target traefik --config portico-lb.yaml -o dynamic.yaml
                      (entry points go in Traefik's static file: the output's comment lists them)
  With tls: in portico-lb.yaml, a certificate from the development CA (portico lb ca) is
  issued into <runtime-dir>/tls/ for every route host, localhost and the loopback addresses.`,
    )
    .action(
      action(async (ctx, opts) =>
        (await import('../balancer/commands/generate.js')).generateCommand(ctx, opts as never),
      ),
    );

  exportInputs(
    lb
      .command('deploy')
      .description(
        'validate with the gateway binary, write atomically with a backup, reload gracefully, check, roll back if it does not answer',
      ),
  )
    .option('--to <path>', 'the configuration file the gateway runs from')
    .option('--dry-run', 'show the unified diff; write and reload nothing')
    .addHelpText(
      'after',
      `
Examples:
  portico lb deploy --target nginx --to ./nginx.conf --config portico-lb.yaml --dry-run
  portico lb deploy --target haproxy --to ./haproxy.cfg --from-catalog
  portico lb deploy --target traefik --to /etc/traefik/dynamic/portico.yaml --config portico-lb.yaml
                      (written atomically; Traefik's file provider picks it up, no reload)`,
    )
    .action(
      action(async (ctx, opts) =>
        (await import('../balancer/commands/deploy.js')).deployCommand(ctx, opts as never),
      ),
    );

  exportInputs(
    lb
      .command('sync')
      .description(
        'make a running gateway follow the catalog: HAProxy through its runtime API (no reload), Caddy through its admin API, nginx by a debounced reload, Traefik by its watched file',
      ),
  )
    .option(
      '--to <path>',
      'the configuration file the gateway runs from (rewritten atomically, with a backup)',
    )
    .option(
      '--runtime-api <socket>',
      "HAProxy only: its runtime API socket (default: the generated config's <runtime-dir>/haproxy.sock)",
    )
    .option('--watch', "keep following the catalog's changes until Ctrl-C")
    .option(
      '--debounce <time>',
      'with --watch: collect changes this long into one pass (nginx 1s, others 50-200ms)',
    )
    .addHelpText(
      'after',
      `
Examples:
  portico lb sync --target haproxy --to ./haproxy.cfg --from-catalog
  portico lb sync --target haproxy --to ./haproxy.cfg --from-catalog --runtime-api ./haproxy-run/haproxy.sock --watch
  portico lb sync --target caddy --to ./Caddyfile --from-catalog --watch`,
    )
    .action(
      action(async (ctx, opts) =>
        (await import('../balancer/commands/sync.js')).syncCommand(ctx, opts as never),
      ),
    );
}
