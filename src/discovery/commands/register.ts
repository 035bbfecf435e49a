import { isIP } from 'node:net';
import { parseCheckSpec, uniqueIds } from '../../checks/define.js';
import { parsePort } from '../../core/address.js';
import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type { Instance, InstanceProtocol } from '../../core/model.js';
import { openProjectStore } from './project-store.js';

export interface RegisterOptions {
  address?: string;
  port?: string;
  protocol?: string;
  check?: string[];
  tag?: string[];
  meta?: string[];
  id?: string;
  store?: string;
  /** --clear-checks: drop the checks of an earlier registration when no --check is given. */
  clearChecks?: boolean;
}

const protocols: InstanceProtocol[] = ['tcp', 'udp', 'http', 'https', 'grpc', 'postgres', 'redis', 'mysql'];

function invalid(message: string, hint?: string): PorticoError {
  return new PorticoError('E_REGISTER_INVALID', message, hint ? { hint } : {});
}

/** Validate a registration from the command line into an Instance. */
export function buildInstance(name: string, opts: RegisterOptions): Instance {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
    throw invalid(
      `service name "${name}" is not valid`,
      'Use letters, digits, ".", "_" and "-" (max 63), e.g. auth-service.',
    );
  }
  if (opts.port === undefined)
    throw invalid('--port is required', `Example: portico discovery register ${name} --port 3001`);
  const port = parsePort(opts.port, '--port');
  const address = opts.address ?? '127.0.0.1';
  if (!isIP(address) && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(address)) {
    throw invalid(`--address "${address}" is not an IP address or host name`);
  }
  const protocol = (opts.protocol ?? 'tcp') as InstanceProtocol;
  if (!protocols.includes(protocol))
    throw invalid(`--protocol "${opts.protocol}" is not one of ${protocols.join(', ')}`);
  const meta: Record<string, string> = {};
  for (const m of opts.meta ?? []) {
    const eq = m.indexOf('=');
    if (eq <= 0) throw invalid(`--meta "${m}" is not key=value`);
    meta[m.slice(0, eq)] = m.slice(eq + 1);
  }
  for (const t of opts.tag ?? [])
    if (!/^[\w.:/-]{1,64}$/.test(t)) throw invalid(`--tag "${t}" is not a valid tag`);
  return {
    id: opts.id ?? `cli:${name}:${address}:${port}`,
    service: name,
    address,
    port,
    protocol,
    tags: opts.tag ?? [],
    meta,
    source: 'cli',
    checks: uniqueIds((opts.check ?? []).map(parseCheckSpec)),
  };
}

/** `portico discovery register <name> --address --port [--check …]` */
export async function registerCommand(
  ctx: CommandContext,
  opts: RegisterOptions,
  name: string,
): Promise<number> {
  let instance = buildInstance(name, opts);
  const { store, namespace } = await openProjectStore(ctx, opts);
  let kept = false;
  try {
    // Re-registering (a restart, a changed tag) keeps the checks it had unless told otherwise.
    const before = await store.getInstance(instance.id);
    if (before && opts.check === undefined && !opts.clearChecks && before.checks.length > 0) {
      instance = { ...instance, checks: before.checks };
      kept = true;
    }
    await store.register(instance);
  } finally {
    await store.close();
  }
  ctx.out.result({ registered: instance, project: namespace, keptChecks: kept }, () => {
    ctx.out.line(
      `registered ${instance.service} → ${instance.address}:${instance.port} (id ${instance.id}, project ${namespace})`,
    );
    if (kept)
      ctx.out.line(
        `  kept its checks: ${instance.checks.map((c) => c.id).join(', ')} (--clear-checks drops them)`,
      );
  });
  return ExitCode.Ok;
}

/** `portico discovery deregister <id>` */
export async function deregisterCommand(
  ctx: CommandContext,
  opts: { store?: string },
  id: string,
): Promise<number> {
  const { store } = await openProjectStore(ctx, opts);
  try {
    if (!(await store.deregister(id))) {
      throw new PorticoError('E_INSTANCE_UNKNOWN', `no instance "${id}" in the catalog`, {
        hint: 'portico discovery list shows the ids.',
      });
    }
  } finally {
    await store.close();
  }
  ctx.out.result({ deregistered: id }, () => ctx.out.line(`deregistered ${id}`));
  return ExitCode.Ok;
}
