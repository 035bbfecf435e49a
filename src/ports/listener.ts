import type { AddressScope } from '../core/address.js';

/**
 * One socket bound on this host: TCP in LISTEN state or a bound UDP socket. Produced by
 * `listListeners()` (procfs on Linux, lsof elsewhere); consumed by `ports`, the processes
 * discovery source and the diagnose suites.
 */
export interface Listener {
  protocol: 'tcp' | 'udp';
  family: 4 | 6;
  /** As bound: '0.0.0.0', '::', '127.0.0.1', '::1', '::ffff:127.0.0.1', a specific address. */
  address: string;
  port: number;
  scope: AddressScope;
  /** Kernel socket inode (0 when the platform doesn't expose it). */
  inode: number;
  uid: number;
  user?: string;
  /**
   * Processes holding the socket (forked servers such as nginx share one). Empty when the owner
   * is not visible to us (another user's process and we are not root): `ownerHidden` is then true.
   */
  processes: ProcessInfo[];
  ownerHidden: boolean;
  /** Set when Docker publishes this port: the container is the owner, docker-proxy only forwards. */
  container?: ContainerOwner;
}

export interface ProcessInfo {
  pid: number;
  /** Short name (comm). */
  name: string;
  /** Full command line; empty for kernel threads or when unreadable. */
  commandLine: string;
}

export interface ContainerOwner {
  id: string;
  name: string;
  image: string;
  containerPort: number;
  protocol: string;
  /** From the com.docker.compose.* labels, when the container belongs to a compose project. */
  composeProject?: string;
  composeService?: string;
}
