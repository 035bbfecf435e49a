import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll } from 'vitest';
import { specFromOptions } from '../../src/balancer/commands/spec-from-options.js';
import type { BalancerSpec } from '../../src/balancer/model.js';
import type { TlsFiles } from '../../src/exporters/exporter.js';
import { exporters, type TargetName } from '../../src/exporters/index.js';
import { killPid, spawnTracked } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

/** A spec from portico-lb.yaml text, through the same path as lb serve / lb generate. */
export function specFromYaml(yaml: string): BalancerSpec {
  const dir = tempDir('portico-exp-');
  const file = join(dir, 'portico-lb.yaml');
  writeFileSync(file, yaml);
  return specFromOptions({ config: file }, {}, dir);
}

export interface Written {
  dir: string;
  config: string;
  run: string;
}

/** Render for a target into a fresh folder (config file + runtime folder). */
export function writeGenerated(target: TargetName, spec: BalancerSpec, tls?: TlsFiles): Written {
  const dir = tempDir(`portico-${target}-`);
  const run = join(dir, 'run');
  mkdirSync(run);
  const config = join(dir, exporters[target].defaultFile);
  writeFileSync(config, exporters[target].render(spec, { runtimeDir: run, ...(tls ? { tls } : {}) }));
  return { dir, config, run };
}

/** The same with the TLS listener's certificate issued (as lb generate does) under the runtime folder. */
export async function writeGeneratedTls(
  target: TargetName,
  spec: BalancerSpec,
  home: string,
): Promise<Written> {
  const { tlsFilesFor } = await import('../../src/exporters/tls-files.js');
  const dir = tempDir(`portico-${target}-`);
  const run = join(dir, 'run');
  mkdirSync(run);
  const tls = await tlsFilesFor(spec, run, { PORTICO_HOME: home });
  const config = join(dir, exporters[target].defaultFile);
  writeFileSync(config, exporters[target].render(spec, { runtimeDir: run, ...(tls ? { tls } : {}) }));
  return { dir, config, run };
}

const caddyEnv = (run: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HOME: run,
  XDG_DATA_HOME: run,
  XDG_CONFIG_HOME: run,
});

/** Start the gateway in the foreground (a tracked child, stopped by pid when the file ends). */
export function startGateway(target: TargetName, w: Written): ChildProcess {
  if (target === 'nginx')
    return spawnTracked('nginx', [
      '-c',
      w.config,
      '-p',
      `${w.run}/`,
      '-e',
      join(w.run, 'error.log'),
      '-g',
      'daemon off;',
    ]);
  if (target === 'haproxy') return spawnTracked('haproxy', ['-db', '-f', w.config]);
  if (target === 'traefik') throw new Error('no Traefik binary on these machines: validate the file instead');
  return spawnTracked('caddy', ['run', '--config', w.config, '--adapter', 'caddyfile'], {
    env: caddyEnv(w.run),
  });
}

/** Daemons started by lb deploy (nginx, haproxy -D, caddy start) are stopped by their pid files. */
const daemonRuns = new Set<string>();
export function trackDaemons(target: TargetName, run: string): void {
  daemonRuns.add(`${target}\0${run}`);
}
export function stopDaemons(target: TargetName, run: string): void {
  for (const pid of exporters[target].running(run)) killPid(pid);
}
afterAll(() => {
  for (const key of daemonRuns) {
    const [target, run] = key.split('\0') as [TargetName, string];
    stopDaemons(target, run);
  }
});

export async function waitAnswers(port: number, host?: string): Promise<void> {
  await waitFor(
    async () => {
      const r = await request(`http://127.0.0.1:${port}/`, {
        headers: host ? { host } : {},
        headersTimeout: 1000,
      });
      await r.body.dump();
      return r.statusCode < 500;
    },
    { what: `the gateway on ${port} to answer`, timeoutMs: 10_000 },
  );
}

export interface LoadResult {
  byBody: Map<string, number>;
  errors: string[];
}

/** A bounded number of GETs, a few at a time; counts answers by body (upstreams name themselves). */
export async function load(port: number, n: number, concurrency = 4, path = '/'): Promise<LoadResult> {
  const byBody = new Map<string, number>();
  const errors: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      try {
        const r = await request(`http://127.0.0.1:${port}${path}`, {
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        const body = await r.body.text();
        if (r.statusCode !== 200) errors.push(`${r.statusCode} ${body.slice(0, 80)}`);
        else byBody.set(body, (byBody.get(body) ?? 0) + 1);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { byBody, errors };
}

export const readText = (path: string): string => readFileSync(path, 'utf8');
