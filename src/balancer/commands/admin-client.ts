import { request } from 'undici';
import { parseHostPort } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import type { BalancerStatus } from '../status.js';

/** Read the balancer's /status from its admin endpoint. */
export async function fetchStatus(admin: string, token?: string): Promise<BalancerStatus> {
  const { host, port } = parseHostPort(admin);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/status`;
  try {
    const res = await request(url, {
      headersTimeout: 3000,
      bodyTimeout: 3000,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new PorticoError('E_LB_ADMIN_UNREACHABLE', `${url} answered ${res.statusCode}`, {
        hint: res.statusCode === 401 ? 'Pass --admin-token.' : 'Is that a Portico admin endpoint?',
      });
    }
    return (await res.body.json()) as BalancerStatus;
  } catch (error) {
    if (error instanceof PorticoError) throw error;
    throw new PorticoError(
      'E_LB_ADMIN_UNREACHABLE',
      `cannot reach the balancer's admin endpoint at ${url}: ${(error as Error).message}`,
      {
        hint: 'Start one with portico lb serve (admin on 127.0.0.1:9901 by default), or pass --admin host:port.',
      },
    );
  }
}
