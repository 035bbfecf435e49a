import { readFileSync } from 'node:fs';

/** net.ipv4.ip_unprivileged_port_start (1024 unless lowered). */
export function unprivilegedPortStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim()) || 1024;
  } catch {
    return 1024;
  }
}

export function isPrivilegedUser(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}
