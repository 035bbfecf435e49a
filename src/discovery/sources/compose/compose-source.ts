import { statSync } from 'node:fs';
import { checkDefaults } from '../../../checks/define.js';
import { loadComposeProject } from '../../../compose/load.js';
import type { ComposeProject, ComposeService } from '../../../compose/model.js';
import { PorticoError } from '../../../core/errors.js';
import type { CheckDefinition, Instance } from '../../../core/model.js';
import { guessProtocol, readLabels } from '../../labels.js';
import { pollWatch } from '../../poll.js';
import type { Source, SourceOptions } from '../../source.js';
import { fromComposeHealthcheck } from './healthcheck.js';

/**
 * Services of a compose project as instances reachable from this host: one per published port
 * (at its host address). Services that publish nothing (network-only, `expose:`) are real
 * services too: one internal endpoint per exposed port at the service's name on its compose
 * networks (tagged `internal`, `meta.reachable`), with their healthcheck; port 0 when the service
 * declares no port at all. Services left out by profiles are not listed.
 */
export class ComposeSource implements Source {
  readonly name = 'compose' as const;
  private project: ComposeProject | undefined;
  /** The project the command already loaded: the first snapshot uses it, later ones re-read. */
  private preloaded: ComposeProject | undefined;

  constructor(private readonly options: SourceOptions) {
    this.preloaded = options.project?.compose;
  }

  async snapshot(): Promise<Instance[]> {
    try {
      const preloaded = this.preloaded;
      this.preloaded = undefined;
      this.project =
        preloaded ??
        (await loadComposeProject({
          files: this.options.composeFiles,
          cwd: this.options.cwd,
          env: this.options.env,
          profiles: this.options.composeProfiles,
        }));
    } catch (error) {
      if (error instanceof PorticoError) throw error;
      throw new PorticoError('E_SOURCE_FAILED', `compose source: ${(error as Error).message}`, {
        cause: error,
      });
    }
    for (const w of this.project.warnings) this.options.onError?.('compose', new Error(w));
    return this.project.services.flatMap((svc) => this.instancesOf(this.project!, svc));
  }

  async watch(publish: (instances: Instance[]) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    // Re-read when any compose file (or .env) changes; pollWatch publishes only differences.
    let lastStamp = '';
    let last: Instance[] = [];
    await pollWatch(
      async () => {
        const stamp = this.stamp();
        if (stamp !== lastStamp) {
          last = await this.snapshot();
          lastStamp = stamp;
        }
        return last;
      },
      publish,
      signal,
      this.options.pollMs ?? 1000,
      (e) => this.options.onError?.('compose', e),
    );
  }

  private stamp(): string {
    const files = [
      ...(this.project?.files ?? this.options.composeFiles ?? []),
      ...(this.project?.envFile ? [this.project.envFile] : []),
    ];
    return files.map((f) => `${f}:${safeMtime(f)}`).join('|');
  }

  private instancesOf(project: ComposeProject, svc: ComposeService): Instance[] {
    const labels = readLabels(
      svc.labels,
      (m) => this.options.onError?.('compose', new Error(`service ${svc.name}: ${m}`)),
      this.options.secrets,
    );
    if (!labels.enabled) return [];
    const service = labels.service ?? svc.name;
    const container = svc.containerName ?? `${project.name}-${svc.name}-1`;
    const meta = {
      compose_project: project.name,
      compose_service: svc.name,
      ...(svc.image ? { image: svc.image } : {}),
      ...labels.meta,
    };
    const published = svc.ports.filter(
      (p) =>
        p.hostPort !== undefined &&
        p.protocol === 'tcp' &&
        (labels.port === undefined || p.containerPort === labels.port),
    );
    if (published.length === 0) return internalEndpoints(project, svc, labels, service, container, meta);
    const healthcheck = svc.healthcheck
      ? fromComposeHealthcheck(svc.healthcheck, container, svc.ports)
      : undefined;
    return published.map((p) => {
      const checks: CheckDefinition[] = labels.checks ?? (healthcheck ? [healthcheck] : [defaultTcp()]);
      return {
        id: `compose:${project.name}/${svc.name}:${p.hostPort}`,
        service,
        address: hostAddress(p.hostIp),
        port: p.hostPort!,
        protocol: labels.protocol ?? guessProtocol(p.containerPort),
        tags: [...labels.tags, 'compose'],
        meta: { ...meta, container_port: String(p.containerPort), container },
        source: 'compose',
        checks,
      };
    });
  }
}

type Labels = ReturnType<typeof readLabels>;

/** Endpoints of a service that publishes nothing: reachable from containers on its networks. */
function internalEndpoints(
  project: ComposeProject,
  svc: ComposeService,
  labels: Labels,
  service: string,
  container: string,
  meta: Record<string, string>,
): Instance[] {
  const declared = [
    ...svc.expose,
    ...svc.ports.filter((p) => p.protocol === 'tcp').map((p) => p.containerPort),
  ];
  const ports = labels.port !== undefined ? [labels.port] : [...new Set(declared)];
  const onHost = svc.networkMode === 'host';
  const healthcheck = svc.healthcheck ? fromComposeHealthcheck(svc.healthcheck, container, []) : undefined;
  const checks: CheckDefinition[] = labels.checks ?? (healthcheck ? [healthcheck] : []);
  const where = {
    ...meta,
    container,
    internal: 'true',
    networks: svc.networks.join(','),
    ...(svc.networkMode ? { network_mode: svc.networkMode } : {}),
    // Host networking: the service listens on this host; otherwise only containers reach it.
    ...(onHost ? {} : { reachable: 'compose-network' }),
  };
  return (ports.length > 0 ? ports : [0]).map((port) => ({
    id: port > 0 ? `compose:${project.name}/${svc.name}:${port}` : `compose:${project.name}/${svc.name}`,
    service,
    address: onHost ? '127.0.0.1' : svc.name,
    port,
    protocol: labels.protocol ?? (port > 0 ? guessProtocol(port) : 'tcp'),
    tags: [...labels.tags, 'compose', 'internal'],
    meta: { ...where, container_port: port > 0 ? String(port) : 'none' },
    source: 'compose',
    checks,
  }));
}

/** Where to reach a published port from this host: its bind address, loopback for "all". */
export function hostAddress(hostIp: string | undefined): string {
  if (!hostIp || hostIp === '0.0.0.0') return '127.0.0.1';
  if (hostIp === '::') return '::1';
  return hostIp;
}

function defaultTcp(): CheckDefinition {
  return { id: 'tcp', kind: 'tcp', origin: 'compose', ...checkDefaults };
}

function safeMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
