import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { addressScope } from '../core/address.js';
import { PorticoError } from '../core/errors.js';
import type { Listener } from './listener.js';

const run = promisify(execFile);

/**
 * Listeners from `lsof` for systems without procfs (macOS). Slower than procfs, but it is what
 * those systems offer; command lines come from one batched `ps` call.
 */
export async function listWithLsof(): Promise<Listener[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN', '-iUDP', '-FpcuLtPn'], {
      maxBuffer: 64 << 20,
    }));
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string };
    if (e.code === 'ENOENT') {
      throw new PorticoError('E_PLATFORM_UNSUPPORTED', 'no procfs and no lsof: cannot list sockets here', {
        hint: 'Install lsof.',
      });
    }
    stdout = e.stdout ?? ''; // lsof exits 1 when some files were not found; its output is still good
  }
  const listeners = parseLsof(stdout);
  await fillCommandLines(listeners);
  return listeners;
}

/** Parses `lsof -F pcuLtPn` field output into listeners (one per protocol/address/port/pid). */
export function parseLsof(output: string): Listener[] {
  const byKey = new Map<string, Listener>();
  let pid = 0;
  let name = '';
  let uid = 0;
  let user: string | undefined;
  let family: 4 | 6 = 4;
  let protocol: 'tcp' | 'udp' = 'tcp';
  for (const line of output.split('\n')) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p') pid = Number(value);
    else if (tag === 'c') name = value;
    else if (tag === 'u') uid = Number(value);
    else if (tag === 'L') user = value;
    else if (tag === 't') family = value === 'IPv6' ? 6 : 4;
    else if (tag === 'P') protocol = value.toLowerCase() === 'udp' ? 'udp' : 'tcp';
    else if (tag === 'n') {
      if (value.includes('->')) continue; // connected UDP socket, not a listener
      const colon = value.lastIndexOf(':');
      const port = Number(value.slice(colon + 1));
      if (!Number.isInteger(port) || port === 0) continue;
      let address = value.slice(0, colon).replace(/^\[|\]$/g, '');
      if (address === '*') address = family === 6 ? '::' : '0.0.0.0';
      const key = `${protocol}|${address}|${port}`;
      const proc = { pid, name, commandLine: '' };
      const existing = byKey.get(key);
      if (existing) {
        if (!existing.processes.some((p) => p.pid === pid)) existing.processes.push(proc);
        continue;
      }
      byKey.set(key, {
        protocol,
        family,
        address,
        port,
        scope: addressScope(address),
        inode: 0,
        uid,
        ...(user ? { user } : {}),
        processes: [proc],
        ownerHidden: false,
      });
    }
  }
  return [...byKey.values()];
}

async function fillCommandLines(listeners: Listener[]): Promise<void> {
  const pids = [...new Set(listeners.flatMap((l) => l.processes.map((p) => p.pid)))];
  if (pids.length === 0) return;
  try {
    const { stdout } = await run('ps', ['-o', 'pid=,command=', '-p', pids.join(',')], {
      maxBuffer: 16 << 20,
    });
    const commands = new Map<number, string>();
    for (const line of stdout.split('\n')) {
      const m = /^\s*(\d+)\s+(.*)$/.exec(line);
      if (m) commands.set(Number(m[1]), m[2]!);
    }
    for (const l of listeners) for (const p of l.processes) p.commandLine = commands.get(p.pid) ?? p.name;
  } catch {
    // ps missing or failed: names from lsof are still useful
  }
}
