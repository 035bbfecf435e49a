import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specFromOptions } from '../../src/balancer/commands/spec-from-options.js';
import { exporters, type TargetName } from '../../src/exporters/index.js';
import { runPortico } from '../helpers/cli.js';
import { describeWith, isCI } from '../helpers/requirements.js';
import { tempDir } from '../helpers/tmp.js';
import { writeGenerated } from './gateways.js';

const fixtures = fileURLToPath(new URL('../fixtures/exporters/', import.meta.url));
/** A fixed runtime folder, so the golden files do not depend on where the test runs. */
const goldenRun = '/var/tmp/portico-golden-run';

/** UPDATE_GOLDEN=1 rewrites the golden files (review the diff before committing it). */
function golden(name: string, actual: string): void {
  const path = join(fixtures, name);
  if (process.env.UPDATE_GOLDEN === '1' || (!existsSync(path) && !isCI)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** Every feature: host/path routes, wildcard, strip prefix, weights, hashing, TCP. */
const full = () => specFromOptions({ config: join(fixtures, 'portico-lb.yaml') }, {}, fixtures);
/** Caddy has no layer 4: the same routes without the TCP listener. */
const httpOnly = () => ({ ...full(), tcp: [] });
/**
 * Traefik cannot name the upstream in a header nor hash: the same routes without those, and
 * with a TLS listener (its certificate files at fixed paths).
 */
const forTraefik = () => {
  const spec = full();
  delete spec.upstreamHeader;
  for (const r of spec.routes) if (r.algorithm === 'consistent-hash') r.algorithm = 'round-robin';
  return { ...spec, tls: { listen: { host: '127.0.0.1', port: 18443 }, devCa: true, redirectHttp: false } };
};
const goldenTls = {
  certFile: `${goldenRun}/tls/portico-dev.crt`,
  keyFile: `${goldenRun}/tls/portico-dev.key`,
  pemFile: `${goldenRun}/tls/portico-dev.pem`,
};

const cases: Array<[TargetName, string, () => ReturnType<typeof full>]> = [
  ['nginx', 'nginx.golden.conf', full],
  ['haproxy', 'haproxy.golden.cfg', full],
  ['caddy', 'Caddyfile.golden', httpOnly],
  ['traefik', 'traefik.golden.yaml', forTraefik],
];

describe('lb generate renders each target like its golden file', () => {
  it.each(cases)('%s', (target, file, spec) => {
    golden(file, exporters[target].render(spec(), { runtimeDir: goldenRun, tls: goldenTls }));
  });

  it('Caddy refuses TCP routes with a coded error instead of dropping them', () => {
    expect(() => exporters.caddy.render(full(), { runtimeDir: goldenRun })).toThrow(/no layer-4 proxy/);
  });

  it('renders the same file from flags as from the equivalent portico-lb.yaml', () => {
    const flags = specFromOptions({
      listen: '127.0.0.1:18080',
      upstream: ['127.0.0.1:19001', '127.0.0.1:19002'],
      healthPath: '/health',
    });
    const dir = tempDir();
    const file = join(dir, 'portico-lb.yaml');
    writeFileSync(
      file,
      'listen: 127.0.0.1:18080\nroutes:\n  - name: default\n    upstreams: [127.0.0.1:19001, 127.0.0.1:19002]\n    healthCheck: { path: /health }\n',
    );
    const yaml = specFromOptions({ config: file }, {}, dir);
    for (const e of Object.values(exporters))
      expect(e.render(flags, { runtimeDir: goldenRun })).toBe(e.render(yaml, { runtimeDir: goldenRun }));
  });
});

describe('portico lb generate (CLI)', () => {
  it('prints to stdout, or writes -o FILE and creates the runtime folder beside it', async () => {
    const dir = tempDir();
    const args = [
      'lb',
      'generate',
      '--target',
      'haproxy',
      '--upstream',
      '127.0.0.1:19001',
      '--listen',
      '127.0.0.1:18080',
    ];
    const out = await runPortico(args, { cwd: dir, env: { PORTICO_HOME: tempDir() } });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('server s1 127.0.0.1:19001 weight 1 check');
    expect(out.stdout).toContain(`pidfile ${join(dir, 'haproxy-run')}/haproxy.pid`);
    const written = await runPortico([...args, '-o', 'gw/haproxy.cfg', '--json'], {
      cwd: dir,
      env: { PORTICO_HOME: tempDir() },
    });
    expect(written.code).toBe(0);
    expect(written.json<{ runtimeDir: string }>().runtimeDir).toBe(join(dir, 'gw', 'haproxy-run'));
    expect(existsSync(join(dir, 'gw', 'haproxy-run'))).toBe(true);
    expect(readFileSync(join(dir, 'gw', 'haproxy.cfg'), 'utf8')).toBe(
      out.stdout.replaceAll(join(dir, 'haproxy-run'), join(dir, 'gw', 'haproxy-run')),
    );
  });

  it('refuses an unknown target and missing inputs with exit 2', async () => {
    const env = { PORTICO_HOME: tempDir() };
    const bad = await runPortico(['lb', 'generate', '--target', 'envoy', '--upstream', '127.0.0.1:1'], {
      env,
    });
    expect(bad.code).toBe(2);
    const none = await runPortico(['lb', 'generate', '--target', 'nginx'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('nothing to balance');
    const noTo = await runPortico(['lb', 'deploy', '--target', 'nginx', '--upstream', '127.0.0.1:1'], {
      env,
    });
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain('[E_USAGE]: lb deploy needs --to PATH');
    const tcpCaddy = await runPortico(
      [
        'lb',
        'deploy',
        '--target',
        'caddy',
        '--to',
        join(tempDir(), 'Caddyfile'),
        '--mode',
        'tcp',
        '--listen',
        '127.0.0.1:7000',
        '--upstream',
        '127.0.0.1:9',
      ],
      { env },
    );
    expect(tcpCaddy.code).toBe(2);
    expect(tcpCaddy.stderr).toContain('[E_LB_EXPORT_UNSUPPORTED]');
  });
});

describeWith(['nginx', 'haproxy', 'caddy'], 'each generated configuration passes its own binary', () => {
  // Traefik's check is its published schema plus the references (no binary: see traefik.test.ts).
  it.each(cases)('%s', async (target, _file, spec) => {
    const w = writeGenerated(target, spec(), goldenTls);
    expect(await exporters[target].validate(w.config, w.run)).toBeUndefined();
  });

  it.each(cases)('%s: a broken file is reported, not accepted', async (target, _file, spec) => {
    const w = writeGenerated(target, spec(), goldenTls);
    writeFileSync(w.config, `${readFileSync(w.config, 'utf8')}\nthis is not a directive {\n`);
    expect(await exporters[target].validate(w.config, w.run)).toBeTruthy();
  });
});
