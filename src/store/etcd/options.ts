import { readFileSync } from 'node:fs';
import type { IOptions } from 'etcd3';
import { PorticoError } from '../../core/errors.js';
import { quietIpServerNameWarning } from './quiet-ip-servername.js';

export interface EtcdLocation {
  /** Client URLs, e.g. http://127.0.0.1:2379. */
  hosts: string[];
  /** Key prefix under which the catalog lives (default /portico); keys use <prefix>/v1/…. */
  prefix: string;
  tls: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  username?: string;
  password?: string;
  /** Per-call deadline and dial timeout; one-shot commands fail after about this long. */
  timeoutMs: number;
  /** TTL of an agent's lease: how long its instances outlive it (lease=SECONDS, default 10). */
  leaseTtlSeconds: number;
}

export const defaultLeaseTtlSeconds = 10;

const defaultTimeoutMs = 3000;

/**
 * Parse `host:port[,host:port…][/prefix][?options]` (the part after `etcd://`). Options, in the
 * URL query or the environment (the query wins): tls=1 (PORTICO_ETCD_TLS), ca=FILE
 * (PORTICO_ETCD_CA), cert=FILE (PORTICO_ETCD_CERT), key=FILE (PORTICO_ETCD_KEY), user=NAME
 * (PORTICO_ETCD_USER), password from PORTICO_ETCD_PASSWORD only (never in a URL that shows
 * up in `ps`), timeout=MS (PORTICO_ETCD_TIMEOUT_MS), lease=SECONDS (PORTICO_ETCD_LEASE_TTL: how
 * long an agent's instances outlive it).
 */
export function parseEtcdLocation(location: string, env: NodeJS.ProcessEnv): EtcdLocation {
  const [beforeQuery = '', query = ''] = location.split('?', 2);
  const slash = beforeQuery.indexOf('/');
  const hostPart = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const path = slash < 0 ? '' : beforeQuery.slice(slash).replace(/\/+$/, '');
  const params = new URLSearchParams(query);
  const opt = (name: string, envName: string): string | undefined =>
    params.get(name) ?? (env[envName] || undefined);
  const caFile = opt('ca', 'PORTICO_ETCD_CA');
  const certFile = opt('cert', 'PORTICO_ETCD_CERT');
  const keyFile = opt('key', 'PORTICO_ETCD_KEY');
  const tlsValue = opt('tls', 'PORTICO_ETCD_TLS');
  const tls = tlsValue !== undefined ? /^(1|true|yes)$/i.test(tlsValue) : caFile !== undefined;
  const hosts = hostPart
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const bad = hosts.find((h) => !/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(h));
  if (hosts.length === 0 || bad !== undefined) {
    throw new PorticoError(
      'E_STORE_URL',
      `etcd store needs host:port[,host:port…], got "${bad ?? hostPart}" in etcd://${location}`,
      { hint: 'Example: --store etcd://127.0.0.1:2379 or etcd://10.0.0.1:2379,10.0.0.2:2379' },
    );
  }
  const timeoutText = opt('timeout', 'PORTICO_ETCD_TIMEOUT_MS');
  const timeoutMs = timeoutText === undefined ? defaultTimeoutMs : Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new PorticoError(
      'E_STORE_URL',
      `etcd timeout must be a positive number of ms, got "${timeoutText}"`,
    );
  }
  const leaseText = opt('lease', 'PORTICO_ETCD_LEASE_TTL');
  const leaseTtlSeconds = leaseText === undefined ? defaultLeaseTtlSeconds : Number(leaseText);
  if (!Number.isInteger(leaseTtlSeconds) || leaseTtlSeconds < 2 || leaseTtlSeconds > 3600) {
    throw new PorticoError(
      'E_STORE_URL',
      `etcd lease TTL must be whole seconds in 2–3600, got "${leaseText}"`,
    );
  }
  const username = opt('user', 'PORTICO_ETCD_USER');
  const password = env.PORTICO_ETCD_PASSWORD || undefined;
  return {
    hosts: hosts.map((h) => `${tls ? 'https' : 'http'}://${h}`),
    prefix: path || '/portico',
    tls,
    timeoutMs,
    leaseTtlSeconds,
    ...(caFile ? { caFile } : {}),
    ...(certFile ? { certFile } : {}),
    ...(keyFile ? { keyFile } : {}),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new PorticoError('E_FILE_NOT_FOUND', `etcd ${what} file ${file} cannot be read`, { cause: error });
  }
}

/** Client options for the etcd3 library: short timeouts so an unreachable cluster fails fast. */
export function clientOptions(location: EtcdLocation): IOptions {
  const deadline = location.timeoutMs;
  const options: IOptions = {
    hosts: location.hosts,
    dialTimeout: deadline,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + deadline }),
  };
  if (location.hosts.some((h) => h.startsWith('https://'))) quietIpServerNameWarning();
  if (location.caFile) {
    options.credentials = {
      rootCertificate: readPem(location.caFile, 'CA'),
      ...(location.certFile ? { certChain: readPem(location.certFile, 'certificate') } : {}),
      ...(location.keyFile ? { privateKey: readPem(location.keyFile, 'key') } : {}),
    };
  } else if (location.certFile || location.keyFile) {
    throw new PorticoError(
      'E_STORE_URL',
      'an etcd client certificate (cert=, key=) needs the CA too (ca=FILE)',
    );
  }
  // https:// hosts without a CA file use the system roots.
  if (location.username) {
    if (!location.password) {
      throw new PorticoError('E_STORE_URL', `etcd user "${location.username}" needs PORTICO_ETCD_PASSWORD`);
    }
    options.auth = { username: location.username, password: location.password };
  }
  return options;
}
