import { connect } from 'node:net';
import { PorticoError } from '../../core/errors.js';

/** One server of a backend as `show servers state` lists it. */
export interface RuntimeServer {
  name: string;
  address: string;
  port: number;
  /** srv_admin_state bits: 0x01 forced maintenance, 0x08 forced drain. */
  adminState: number;
  /** The weight the user set (srv_uweight). */
  weight: number;
}

/**
 * HAProxy's runtime API over its stats socket (`stats socket … level admin`): one command per
 * connection, in non-interactive mode HAProxy answers and closes. Bounded in time.
 */
export class RuntimeApi {
  constructor(
    readonly socket: string,
    private readonly timeoutMs = 5000,
  ) {}

  command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = connect(this.socket);
      let out = '';
      const timer = setTimeout(() => {
        s.destroy();
        reject(this.unreachable(`no answer to "${line}" within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        out += d;
      });
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(this.unreachable((error as Error).message));
      });
      s.once('end', () => {
        clearTimeout(timer);
        resolve(out.trim());
      });
      s.end(`${line}\n`);
    });
  }

  /** The servers of one backend; an unknown backend is an error. */
  async servers(backend: string): Promise<RuntimeServer[]> {
    const text = await this.command(`show servers state ${backend}`);
    if (!text.startsWith('1'))
      throw new PorticoError('E_LB_RUNTIME_API', `HAProxy cannot list backend ${backend}: ${text}`);
    return parseServersState(text);
  }

  private unreachable(why: string): PorticoError {
    return new PorticoError('E_LB_RUNTIME_API', `HAProxy's runtime API at ${this.socket}: ${why}`, {
      hint: 'The socket is the stats socket of the running HAProxy (generated configs put it in the runtime folder as haproxy.sock).',
    });
  }
}

/** `show servers state` (format version 1): a header line naming the columns, then one row per server. */
export function parseServersState(text: string): RuntimeServer[] {
  const lines = text.split('\n');
  const columns =
    lines
      .find((l) => l.startsWith('# '))
      ?.slice(2)
      .split(' ') ?? [];
  const at = (name: string): number => columns.indexOf(name);
  const [name, addr, admin, weight, port] = [
    at('srv_name'),
    at('srv_addr'),
    at('srv_admin_state'),
    at('srv_uweight'),
    at('srv_port'),
  ];
  if ([name, addr, admin, weight, port].some((i) => i < 0)) return [];
  return lines
    .filter((l) => l.trim() && !l.startsWith('#') && l !== '1')
    .map((l) => l.split(' '))
    .map((f) => ({
      name: f[name]!,
      address: f[addr]!,
      port: Number(f[port]),
      adminState: Number(f[admin]),
      weight: Number(f[weight]),
    }));
}
