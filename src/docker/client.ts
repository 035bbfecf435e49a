import { existsSync, readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { PorticoError } from '../core/errors.js';

export type DockerClient = Docker;

export interface DockerConnectOptions {
  env?: NodeJS.ProcessEnv;
  /** Per-request timeout: a hung engine must not hang a CLI command. 0 = none (event streams). */
  timeoutMs?: number;
}

/**
 * A Docker API client for the engine the user's own `docker` CLI would talk to: DOCKER_HOST
 * (unix://, tcp:// with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) or the default socket.
 */
export function createDockerClient(options: DockerConnectOptions = {}): DockerClient {
  const env = options.env ?? process.env;
  const ms = options.timeoutMs ?? 5000;
  const timeout = ms > 0 ? { timeout: ms } : {};
  const host = env.DOCKER_HOST;
  if (!host) return new Docker({ socketPath: '/var/run/docker.sock', ...timeout });
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length), ...timeout });
  const url = new URL(host.replace(/^tcp:/, env.DOCKER_TLS_VERIFY ? 'https:' : 'http:'));
  const certPath = env.DOCKER_CERT_PATH;
  return new Docker({
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    host: url.hostname,
    port: url.port || (url.protocol === 'https:' ? 2376 : 2375),
    ...timeout,
    ...(certPath && url.protocol === 'https:'
      ? {
          ca: readCert(`${certPath}/ca.pem`),
          cert: readCert(`${certPath}/cert.pem`),
          key: readCert(`${certPath}/key.pem`),
        }
      : {}),
  });
}

function readCert(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

/** Where the client points, for messages ("docker at unix:///var/run/docker.sock"). */
export function describeDockerHost(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/**
 * Whether an engine answers, without throwing: many commands enrich their output with Docker
 * data but must still work on machines without Docker.
 */
export async function dockerAvailable(client: DockerClient): Promise<boolean> {
  try {
    await client.ping();
    return true;
  } catch {
    return false;
  }
}

export function dockerUnavailable(cause: unknown, env: NodeJS.ProcessEnv = process.env): PorticoError {
  return new PorticoError(
    'E_DOCKER_UNAVAILABLE',
    `cannot reach the Docker engine at ${describeDockerHost(env)}`,
    {
      hint: 'Start Docker, or set DOCKER_HOST to the engine you use (e.g. unix:///run/user/1000/docker.sock).',
      cause,
    },
  );
}
