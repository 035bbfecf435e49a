import type { Finding } from '../finding.js';
import type { GatewayConfig } from './model.js';

type Kind = GatewayConfig['kind'];

const validateCommand: Record<Kind, string> = {
  nginx: 'nginx -t -c FILE',
  haproxy: 'haproxy -c -f FILE',
  caddy: 'caddy adapt --config FILE --adapter caddyfile',
  portico: 'portico troubleshoot api-gateway --config FILE',
};

/** The gateway rejected the configuration (or Portico's parser did, without the gateway). */
export function configInvalid(kind: Kind, file: string, message: string, by: string): Finding {
  return {
    code: 'GW_CONFIG_INVALID',
    severity: 'error',
    title: `${by === "Portico's parser" ? `Portico's parser (not ${kind} itself)` : kind} rejects ${file}: ${message.split('\n')[0]}`,
    evidence: [`${by}:`, ...message.split('\n').filter(Boolean).slice(0, 12)],
    why: `${kind} refuses to start or reload with this configuration: the running gateway keeps its old configuration, or none.`,
    fix: `Fix the line named above, then check again with: ${validateCommand[kind].replace('FILE', file)}`,
    data: { file, by },
  };
}

/** The configuration, or a file it includes, could not be read at all. */
export function configUnreadable(file: string, message: string): Finding {
  return {
    code: 'GW_CONFIG_UNREADABLE',
    severity: 'error',
    title: `cannot read the gateway configuration ${file}: ${message}`,
    evidence: [message],
    why: 'Without its routes the gateway cannot be checked, and a gateway that cannot read its files does not start.',
    fix: 'Check the path and its permissions, or pass --config with the path to nginx.conf, haproxy.cfg, a Caddyfile or portico-lb.yaml.',
    data: { file },
  };
}

/** The gateway's syntax check passed, but its full test needs files or folders this machine lacks. */
export function configTestFailed(kind: Kind, file: string, message: string, by: string): Finding {
  return {
    code: 'GW_CONFIG_TEST_FAILED',
    severity: 'warning',
    title: `${kind} cannot complete its test of ${file} on this machine: ${message.split('\n')[0]}`,
    evidence: [`${by}:`, ...message.split('\n').filter(Boolean).slice(0, 12)],
    why: `On this machine ${kind} would not start with it (a log, pid or temp path it needs is missing or not writable, or an upstream name resolves only where the gateway runs); in the container or host it is meant for, it may. ${kind} stops at the first such error, so what follows it was checked by Portico only.`,
    fix: 'Create the folder, fix the path or the name above if the gateway runs here; otherwise run the check where it runs.',
    data: { file, by },
  };
}

/** Portico's own parser read the routes because the gateway could not. */
export function parsedByPortico(kind: Kind, file: string, reason: string): Finding {
  return {
    code: 'GW_PARSED_BY_PORTICO',
    severity: 'info',
    title: `${file} was parsed by Portico, not by ${kind} (${reason})`,
    evidence: [reason],
    why: `Portico's parser follows ${kind}'s syntax closely but is not ${kind}: a mistake only ${kind} would catch can go unseen, and routes may differ in corner cases.`,
    fix: `Install ${kind} where Portico runs (or put it on PATH) so it reads and validates its own configuration.`,
    data: { file, reason },
  };
}
