import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { BalancerStatus } from '../../src/balancer/status.js';
import { cliPath } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { spawnTracked } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** `portico lb serve` as a user runs it (through the heap-flags launcher), with its output kept. */
export interface ServeProcess {
  child: ChildProcess;
  listen: number;
  admin: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the launcher's exit code. */
  exited: Promise<number | null>;
}

export async function startServe(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { listen?: number; admin?: number } = {},
): Promise<ServeProcess> {
  const listen = options.listen ?? (await freePort());
  const admin = options.admin ?? (await freePort());
  const child = spawnTracked(
    process.execPath,
    [cliPath, 'lb', 'serve', '--listen', `127.0.0.1:${listen}`, '--admin', `127.0.0.1:${admin}`, ...args],
    { env: { ...process.env, NO_COLOR: '1', ...env } },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const s: ServeProcess = { child, listen, admin, stdout: () => out, stderr: () => err, exited };
  await waitFor(() => out.includes('Ctrl-C to stop') || child.exitCode !== null, {
    timeoutMs: 10_000,
    what: 'lb serve to start',
  });
  if (child.exitCode !== null) throw new Error(`lb serve exited ${child.exitCode}: ${err}`);
  return s;
}

/** The balancer process the launcher started (its only child), from /proc. */
export function childPidOf(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  if (children.length !== 1 || !children[0]) throw new Error(`expected one child of ${pid}: ${children}`);
  return Number(children[0]);
}

/** Running (an exited process waiting to be reaped by init is not). */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** `lb serve --workers`' merged /status: the balancer's, plus one entry per worker. */
export type WorkersStatus = BalancerStatus & {
  workers: Array<{ pid: number; restarts: number; requests: number }>;
};

export async function workersStatus(s: ServeProcess): Promise<WorkersStatus> {
  return (await (await request(`http://127.0.0.1:${s.admin}/status`)).body.json()) as WorkersStatus;
}

/** `n` GETs, `c` at a time, over `c` keep-alive connections: bodies, and failures as text. */
export async function load(
  s: ServeProcess,
  n: number,
  c = 8,
  options: { path?: string; host?: string } = {},
): Promise<{ ok: string[]; failed: string[] }> {
  const agent = new Agent({ connections: c });
  const ok: string[] = [];
  const failed: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        next++;
        try {
          const res = await request(`http://127.0.0.1:${s.listen}${options.path ?? '/'}`, {
            dispatcher: agent,
            ...(options.host ? { headers: { host: options.host } } : {}),
          });
          const body = await res.body.text();
          if (res.statusCode === 200) ok.push(body);
          else failed.push(`${res.statusCode} ${body}`);
        } catch (error) {
          failed.push((error as Error).message);
        }
      }
    }),
  );
  await agent.close();
  return { ok, failed };
}
