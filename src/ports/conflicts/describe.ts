import type { Listener } from '../listener.js';
import type { PortClaim } from './model.js';

/** "postgres (pid 812)", "container api-db (image postgres:15)", "an owner we cannot see". */
export function describeHolder(l: Listener): string {
  if (l.container) return `container ${l.container.name} (${l.container.image})`;
  const p = l.processes[0];
  if (!p) return `a process of uid ${l.uid}${l.user ? ` (${l.user})` : ''} we cannot see (${hiddenReason()})`;
  const more = l.processes.length > 1 ? ` and ${l.processes.length - 1} more` : '';
  return `${p.name || 'process'} (pid ${p.pid}${more})`;
}

export function describeClaim(c: PortClaim): string {
  const where = c.published
    ? ` at ${shortPath(c.published.origin.file)}:${c.published.origin.line}`
    : c.declared
      ? ` (${shortPath(c.declared.file)} endpoint ${c.declared.address}:${c.declared.port})`
      : '';
  return c.service ? `service ${c.service}${where}` : `port ${c.port}`;
}

export function howToFree(l: Listener): string {
  if (l.container?.composeProject && l.container.composeService) {
    return `docker compose -p ${l.container.composeProject} stop ${l.container.composeService}`;
  }
  if (l.container) return `docker stop ${l.container.name}`;
  const p = l.processes[0];
  if (!p)
    return isRoot()
      ? 'find it in the other PID namespace or container that holds it'
      : 'run portico as root to see the owner';
  return `portico ports kill ${l.port}  (or: kill ${p.pid})`;
}

function shortPath(path: string): string {
  const cwd = process.cwd();
  return path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** As root every process is visible, so a hidden owner lives in another PID namespace. */
function hiddenReason(): string {
  return isRoot() ? 'it lives in another PID namespace or container' : 'run as root to see it';
}
