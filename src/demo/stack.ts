import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Balancer } from '../balancer/balancer.js';
import { release, reserve } from '../ports/reservations/allocator.js';
import { LeaseTable } from '../ports/reservations/store.js';
import { closeServer, startHttpService, startHttpsService } from './servers.js';

/** The demo project's name: its folder name, its catalog namespace and its reservations' owner. */
export const demoProject = 'portico-demo';

export interface DemoStack {
  /** The project folder (holds portico.yaml). */
  dir: string;
  ports: Record<DemoPortName, number>;
  /** Take everything down: servers, the gateway, reservations, the folder. Idempotent. */
  stop(): Promise<void>;
}

const portNames = [
  'gateway',
  'gateway-admin',
  'auth-service',
  'orders-1',
  'orders-2',
  'payments',
  'agent',
] as const;
export type DemoPortName = (typeof portNames)[number];

/** The planted faults, for the report and the tests. */
export const plantedFaults = [
  'orders-2 answers in 1.2 s (the slow instance)',
  "payments' certificate expires in 5 days",
] as const;

/**
 * A small stack on loopback using only Node: a gateway on Portico's own balancer, auth-service,
 * two orders instances (one slow), payments over HTTPS with a certificate that expires soon.
 * Ports come from Portico's reservations (held while this process lives), the project is a
 * portico.yaml in a temporary folder named after the project.
 */
export async function startDemoStack(env: NodeJS.ProcessEnv): Promise<DemoStack> {
  const root = mkdtempSync(join(tmpdir(), 'portico-demo-'));
  const dir = join(root, demoProject);
  mkdirSync(dir);
  const servers: Server[] = [];
  let gateway: Balancer | undefined;
  const table = LeaseTable.open(env);
  const reserved: string[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await gateway?.drain(1000).catch(() => undefined);
    await Promise.all(servers.map((s) => closeServer(s)));
    for (const name of reserved) release(table, demoProject, name);
    table.close();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const ports = {} as Record<DemoPortName, number>;
    for (const name of portNames) {
      const r = await reserve(table, { name, project: demoProject, pid: process.pid, mustBeFree: true });
      reserved.push(name);
      ports[name] = r.reservation.port;
    }
    servers.push(await startHttpService({ name: 'auth-service' }, ports['auth-service']));
    servers.push(await startHttpService({ name: 'orders-1' }, ports['orders-1']));
    servers.push(await startHttpService({ name: 'orders-2', delayMs: 1200 }, ports['orders-2']));
    servers.push(
      await startHttpsService({ name: 'payments' }, ports.payments, await expiringCertificate(env)),
    );
    gateway = await startGateway(ports, env);
    writeFileSync(join(dir, 'portico.yaml'), manifest(ports));
    return { dir, ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Signed by Portico's development CA, valid for 5 more days: a warning waiting to happen. */
async function expiringCertificate(env: NodeJS.ProcessEnv): Promise<{ cert: string; key: string }> {
  const { loadOrCreateDevCa } = await import('../balancer/tls/dev-ca.js');
  const { issueCertificate } = await import('../tls/certificates.js');
  const ca = await loadOrCreateDevCa(env);
  const pair = await issueCertificate({
    names: ['payments.localhost', '127.0.0.1'],
    notAfter: new Date(Date.now() + 5 * 86_400_000),
    ca,
  });
  return { cert: pair.certPem, key: pair.keyPem };
}

async function startGateway(ports: Record<DemoPortName, number>, env: NodeJS.ProcessEnv): Promise<Balancer> {
  const { balancerConfigSchema } = await import('../balancer/config/schema.js');
  const { configToSpec } = await import('../balancer/config/to-spec.js');
  const { Balancer } = await import('../balancer/balancer.js');
  const config = balancerConfigSchema.parse({
    listen: `127.0.0.1:${ports.gateway}`,
    admin: `127.0.0.1:${ports['gateway-admin']}`,
    routes: [
      {
        name: 'auth',
        pathPrefix: '/auth/',
        stripPrefix: true,
        upstreams: [`127.0.0.1:${ports['auth-service']}`],
        healthCheck: { path: '/health', interval: '2s' },
      },
      {
        name: 'orders',
        pathPrefix: '/orders/',
        stripPrefix: true,
        algorithm: 'least-conn',
        upstreams: [`127.0.0.1:${ports['orders-1']}`, `127.0.0.1:${ports['orders-2']}`],
        healthCheck: { path: '/health', interval: '2s', timeout: '2s' },
      },
    ],
  });
  const gateway = new Balancer(configToSpec(config), env);
  await gateway.start();
  return gateway;
}

function manifest(p: Record<DemoPortName, number>): string {
  return `# The Portico demo stack (portico demo). Every port is a Portico reservation of project ${demoProject}.
services:
  gateway:
    protocol: http
    endpoints:
      - { address: 127.0.0.1, port: ${p.gateway} }
    checks:
      - { kind: http, path: /auth/health }
  auth-service:
    protocol: http
    endpoints:
      - { address: 127.0.0.1, port: ${p['auth-service']} }
    checks:
      - { kind: http, path: /health }
  orders:
    protocol: http
    endpoints:
      - { address: 127.0.0.1, port: ${p['orders-1']}, id: orders-1 }
      - { address: 127.0.0.1, port: ${p['orders-2']}, id: orders-2 }
    checks:
      - { kind: http, path: /health, timeout: 3s }
  payments:
    protocol: https
    endpoints:
      - { address: 127.0.0.1, port: ${p.payments} }
    checks:
      - { kind: tls, tlsVerify: false, expiryWarningDays: 14 }
`;
}
