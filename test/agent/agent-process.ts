import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cliPath } from '../helpers/cli.js';
import { spawnTracked } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

/** `portico agent` as a user runs it, on 127.0.0.1 port 0, with its output kept. */
export interface AgentProcess {
  child: ChildProcess;
  url: string;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export async function startAgent(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<AgentProcess> {
  const child = spawnTracked(process.execPath, [cliPath, 'agent', '--listen', '127.0.0.1:0', ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const started = await waitFor(
    () => (child.exitCode !== null ? 'exited' : /on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out + err)),
    { timeoutMs: 15_000, what: 'portico agent to start' },
  );
  if (started === 'exited') throw new Error(`portico agent exited ${child.exitCode}: ${err}`);
  return {
    child,
    url: started[1]!,
    port: Number(started[2]),
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return await exited;
    },
  };
}

/** A JSON body from the API under test: the tests assert on it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions, not the types
export type Json = any;

/** fetch with a JSON body; returns status and parsed body. */
export async function api(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, headers: res.headers };
}
