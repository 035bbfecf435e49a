import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isLoopbackAddress } from '../core/address.js';
import { PorticoError } from '../core/errors.js';

/** Who may write through the agent's API. Reads are open to whoever can reach the socket. */
export interface AccessPolicy {
  /** Set when writes need `Authorization: Bearer <token>` (or `X-Consul-Token`). */
  token?: string;
  /** Listening beyond loopback: the agent prints a warning at start. */
  exposed: boolean;
}

export interface AccessOptions {
  host: string;
  tokenEnv?: string | undefined;
  tokenFile?: string | undefined;
  /** Demand a token even on loopback (what beyond-loopback always implies). */
  requireToken?: boolean | undefined;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const minTokenLength = 16;

/**
 * Decide the write policy before anything listens. Beyond loopback a token is mandatory: an
 * agent that registers instances and takes TTL reports from the network must not accept them
 * from anyone on it. A token source that is named but unusable is an error, never "no token".
 */
export function accessPolicy(options: AccessOptions): AccessPolicy {
  if (options.tokenEnv !== undefined && options.tokenFile !== undefined)
    throw new PorticoError('E_USAGE', 'give one of --token-env and --token-file');
  const exposed = !isLoopbackAddress(options.host) && options.host !== 'localhost';
  const token = readToken(options);
  if ((exposed || options.requireToken) && token === undefined) {
    throw new PorticoError(
      'E_AGENT_TOKEN_REQUIRED',
      exposed
        ? `listening on ${options.host} (beyond loopback) needs a token for writes`
        : '--require-token needs a token source',
      { hint: 'Pass --token-env NAME (a variable holding 16+ characters) or --token-file PATH.' },
    );
  }
  return { exposed, ...(token !== undefined ? { token } : {}) };
}

function readToken(options: AccessOptions): string | undefined {
  let value: string;
  let where: string;
  if (options.tokenEnv !== undefined) {
    where = `--token-env ${options.tokenEnv}`;
    const v = options.env[options.tokenEnv];
    if (v === undefined || v.trim() === '')
      throw new PorticoError('E_AGENT_TOKEN_REQUIRED', `${where}: the variable is not set`, {
        hint: `Export ${options.tokenEnv} (16+ characters) before starting the agent.`,
      });
    value = v.trim();
  } else if (options.tokenFile !== undefined) {
    const path = isAbsolute(options.tokenFile) ? options.tokenFile : resolve(options.cwd, options.tokenFile);
    where = `--token-file ${path}`;
    try {
      value = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new PorticoError(
        'E_AGENT_TOKEN_REQUIRED',
        `${where}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { hint: 'Put the token on one line (16+ characters), readable only by you (chmod 600).' },
      );
    }
  } else {
    return undefined;
  }
  if (value.length < minTokenLength)
    throw new PorticoError(
      'E_AGENT_TOKEN_REQUIRED',
      `${where}: the token is shorter than ${minTokenLength} characters`,
      { hint: 'Use a long random value, e.g. openssl rand -hex 24.' },
    );
  return value;
}

/** Whether a request may write: no token configured, or a matching Bearer / X-Consul-Token. */
export function mayWrite(
  policy: AccessPolicy,
  headers: { authorization?: string | undefined; 'x-consul-token'?: string | string[] | undefined },
): boolean {
  if (policy.token === undefined) return true;
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
  const consul = headers['x-consul-token'];
  const given = bearer ?? (Array.isArray(consul) ? consul[0] : consul);
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(policy.token);
  return a.length === b.length && timingSafeEqual(a, b);
}
