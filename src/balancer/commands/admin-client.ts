import { request } from 'undici';
import { parseHostPort } from '../../core/address.js';
import { PorticoError } from '../../core/errors.js';
import { resolveAdminToken } from '../config/admin-token.js';
import type { BalancerStatus } from '../status.js';

export interface AdminClientOptions {
  admin: string;
  adminToken?: string;
  adminTokenEnv?: string;
  adminTokenFile?: string;
}

/** The bearer token for `lb status` / `lb test`: given, from a variable, or from a file. */
export function clientToken(
  opts: AdminClientOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
): string | undefined {
  const given = [opts.adminToken, opts.adminTokenEnv, opts.adminTokenFile].filter((x) => x !== undefined);
  if (given.length > 1)
    throw new PorticoError('E_USAGE', 'give one of --admin-token, --admin-token-env and --admin-token-file');
  return resolveAdminToken(
    { token: opts.adminToken, tokenEnv: opts.adminTokenEnv, tokenFile: opts.adminTokenFile },
    { env, baseDir: cwd, names: { env: '--admin-token-env', file: '--admin-token-file' } },
  );
}

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
