import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { formatHostPort } from '../core/address.js';
import { writeFileAtomic } from '../core/atomic-file.js';
import { PorticoError } from '../core/errors.js';
import { unifiedDiff } from './diff.js';
import type { Exporter } from './exporter.js';
import { onPath } from './run-binary.js';

export interface Listeners {
  http: Array<{ host: string; port: number }>;
  tcp: Array<{ host: string; port: number }>;
}

export interface DeployRequest {
  exporter: Exporter;
  text: string;
  to: string;
  runtimeDir: string;
  /** Where the new configuration must answer once applied. */
  listeners: Listeners;
  dryRun?: boolean;
  /** How long the gateway has to answer on every listener after the reload. */
  answerTimeoutMs?: number;
}

export interface DeployResult {
  status: 'dry-run' | 'unchanged' | 'deployed' | 'rolled-back' | 'failed';
  path: string;
  diff: string;
  backup?: string;
  /** start (nothing was running), reload, or written (the gateway watches the file itself). */
  action?: 'start' | 'reload' | 'written';
  /** Why a deploy was rolled back / failed. */
  reason?: string;
}

/**
 * Deploy a rendered configuration: validate it with the gateway's own binary first (an invalid
 * one is refused and nothing changes), write it atomically with a backup, start or gracefully
 * reload the gateway, and check that it answers on every listener. If it does not, the backup
 * goes back in place and the gateway is reloaded with it.
 */
export async function deploy(req: DeployRequest): Promise<DeployResult> {
  const { exporter, text, to, runtimeDir } = req;
  let before = '';
  let existed = true;
  try {
    before = readFileSync(to, 'utf8');
  } catch {
    existed = false;
  }
  const diff = unifiedDiff(before, text, existed ? to : '/dev/null', to);
  if (req.dryRun) return { status: 'dry-run', path: to, diff };
  // Said as what it is: without this, a missing binary read "caddy rejects the new
  // configuration: spawn caddy ENOENT".
  if (!exporter.watchesFile && !onPath(exporter.binary))
    throw new PorticoError(
      'E_LB_GATEWAY_NOT_FOUND',
      `${exporter.binary} is not installed here (not found on PATH)`,
      {
        hint: `Nothing was written. Install ${exporter.binary}, or write the file with \`portico lb generate --target ${exporter.target} -o FILE\` and deploy it where ${exporter.target} runs.`,
      },
    );
  // The gateway writes its pid, temp folders and logs there (validation opens the logs too).
  mkdirSync(runtimeDir, { recursive: true });
  const wasRunning = exporter.running(runtimeDir).length > 0;
  if (existed && before === text && (wasRunning || exporter.watchesFile))
    return { status: 'unchanged', path: to, diff };

  const complaint = await validateCandidate(exporter, text, to, runtimeDir);
  if (complaint)
    throw new PorticoError(
      'E_LB_DEPLOY_INVALID',
      `${exporter.binary} rejects the new configuration: ${complaint}`,
      {
        hint: `Nothing was written: ${to} and the running ${exporter.target} are unchanged.`,
      },
    );

  const written = writeFileAtomic(to, text);
  // Traefik's file provider picks the renamed file up by itself: nothing to reload, and its
  // listeners are in its static configuration, not in this file.
  if (exporter.watchesFile)
    return {
      status: 'deployed',
      path: to,
      diff,
      action: 'written',
      ...(written.backup ? { backup: written.backup } : {}),
    };
  const action = wasRunning ? 'reload' : 'start';
  const base = { path: to, diff, action, ...(written.backup ? { backup: written.backup } : {}) } as const;
  const problem = await applyAndCheck(exporter, to, runtimeDir, req.listeners, req.answerTimeoutMs);
  if (!problem) return { status: 'deployed', ...base };
  if (!written.backup) return { status: 'failed', ...base, reason: problem };
  writeFileAtomic(to, readFileSync(written.backup, 'utf8'), { backup: false });
  try {
    await exporter.apply(to, runtimeDir);
  } catch (error) {
    return {
      status: 'failed',
      ...base,
      reason: `${problem}; the previous configuration is back in ${to} but reloading it failed too: ${(error as Error).message}`,
    };
  }
  return { status: 'rolled-back', ...base, reason: problem };
}

/** Validate beside the target (relative includes resolve the same), then remove the candidate. */
async function validateCandidate(
  exporter: Exporter,
  text: string,
  to: string,
  runtimeDir: string,
): Promise<string | undefined> {
  const candidate = join(dirname(to), `.${basename(to)}.portico-candidate`);
  writeFileSync(candidate, text);
  try {
    return await exporter.validate(candidate, runtimeDir);
  } finally {
    try {
      unlinkSync(candidate);
    } catch {}
  }
}

async function applyAndCheck(
  exporter: Exporter,
  to: string,
  runtimeDir: string,
  listeners: Listeners,
  timeoutMs = 5000,
): Promise<string | undefined> {
  try {
    await exporter.apply(to, runtimeDir);
  } catch (error) {
    return `${exporter.target} did not take it: ${(error as Error).message}`;
  }
  const deadline = Date.now() + timeoutMs;
  const pending = [
    ...listeners.http.map((l) => ({ kind: 'http' as const, ...l })),
    ...listeners.tcp.map((l) => ({ kind: 'tcp' as const, ...l })),
  ];
  while (pending.length > 0) {
    const next = pending[0]!;
    if (await answers(next.kind, next.host, next.port)) {
      pending.shift();
      continue;
    }
    if (Date.now() > deadline)
      return `no answer on ${next.kind === 'http' ? 'http://' : ''}${formatHostPort(next.host, next.port)} within ${timeoutMs} ms after the ${exporter.target} ${exporter.running(runtimeDir).length > 0 ? 'reload' : 'start'}`;
    await sleep(50);
  }
  return undefined;
}

/** Any HTTP response counts (a 502 is the gateway answering); for TCP, an accepted connection. */
async function answers(kind: 'http' | 'tcp', host: string, port: number): Promise<boolean> {
  if (kind === 'tcp')
    return await new Promise((resolve) => {
      const s = connect({ host, port, timeout: 1000 });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
  try {
    const r = await request(`http://${formatHostPort(host, port)}/`, {
      headersTimeout: 1000,
      bodyTimeout: 1000,
      reset: true,
    });
    await r.body.dump();
    return true;
  } catch {
    return false;
  }
}
