import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ProcessInfo } from './listener.js';

export interface OwnerScan {
  /** socket inode → processes holding it */
  owners: Map<number, ProcessInfo[]>;
  /** Some /proc/<pid>/fd directories were unreadable (not root): unowned sockets may be theirs. */
  partial: boolean;
}

/**
 * Map socket inodes to the processes that hold them by reading every /proc/<pid>/fd link, as
 * `ss -p` and `lsof` do. Only inodes in `wanted` are resolved, and a process's name and command
 * line are read once, only if it holds one of them.
 */
export function scanSocketOwners(wanted: ReadonlySet<number>, root = '/proc'): OwnerScan {
  const owners = new Map<number, ProcessInfo[]>();
  let partial = false;
  let pids: string[];
  try {
    pids = readdirSync(root).filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57);
  } catch {
    return { owners, partial: true };
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`${root}/${pid}/fd`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') partial = true;
      continue; // exited meanwhile, or not ours to read
    }
    let info: ProcessInfo | undefined;
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`${root}/${pid}/fd/${fd}`);
      } catch (error) {
        // Listing is allowed but reading links is not (ptrace rules, another user namespace):
        // every other fd of this process would fail the same way, and each throw costs.
        if ((error as NodeJS.ErrnoException).code === 'EACCES') {
          partial = true;
          break;
        }
        continue;
      }
      // "socket:[123456]"
      if (link.charCodeAt(0) !== 115 || !link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (!wanted.has(inode)) continue;
      info ??= readProcess(root, Number(pid));
      const list = owners.get(inode);
      if (!list) owners.set(inode, [info]);
      else if (!list.some((p) => p.pid === info!.pid)) list.push(info);
    }
  }
  for (const list of owners.values()) list.sort((a, b) => a.pid - b.pid);
  return { owners, partial };
}

function readProcess(root: string, pid: number): ProcessInfo {
  let name = '';
  let commandLine = '';
  try {
    name = readFileSync(`${root}/${pid}/comm`, 'utf8').trimEnd();
  } catch {}
  try {
    commandLine = readFileSync(`${root}/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
  } catch {}
  return { pid, name, commandLine };
}

/** uid → user name from /etc/passwd (read once per call; no NSS lookups, no child processes). */
export function readUserNames(path = '/etc/passwd'): Map<number, string> {
  const users = new Map<number, string>();
  try {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3) users.set(Number(f[2]), f[0]!);
    }
  } catch {}
  return users;
}
