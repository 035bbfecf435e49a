import { existsSync, readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { PorticoError } from '../core/errors.js';
import { resolveDockerEndpoint } from './endpoint.js';

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
  const endpoint = resolveDockerEndpoint(env);
  if (endpoint.kind === 'unsupported') {
    throw new PorticoError(
      'E_DOCKER_UNAVAILABLE',
      `unsupported Docker endpoint ${endpoint.url} (${endpoint.from})`,
      {
        hint: 'Portico talks to unix:// and tcp:// engines; for ssh:// forward the socket (ssh -L) and set DOCKER_HOST.',
      },
    );
  }
  if (endpoint.kind === 'unix') return new Docker({ socketPath: endpoint.socketPath, ...timeout });
  const certPath = endpoint.certPath;
  return new Docker({
    protocol: endpoint.tls ? 'https' : 'http',
    host: endpoint.host,
    port: endpoint.port,
    ...timeout,
    ...(certPath && endpoint.tls
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
  const endpoint = resolveDockerEndpoint(env);
  return endpoint.from === 'default' ? endpoint.url : `${endpoint.url} (${endpoint.from})`;
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
