/**
 * How a connection attempt failed, in the terms a network engineer uses. Shared by health
 * probes (as CheckResult.reason) and the troubleshoot connectivity suite.
 */
export type FailureClass =
  | 'refused' // RST: nothing listens there (or a firewall REJECTs with tcp-reset)
  | 'timeout' // no answer: filtered (firewall DROP), a dead host, or an overloaded server
  | 'unreachable' // ICMP unreachable / no route
  | 'reset' // the connection was established and then reset
  | 'closed' // the connection was established and then closed (FIN) without an answer
  | 'dns_not_found' // NXDOMAIN / no such host
  | 'dns_temporary' // resolver failed or timed out: try again later
  | 'address_unavailable' // EADDRNOTAVAIL: e.g. IPv6 disabled
  | 'tls_error'
  | 'protocol_error'
  | 'other';

export function classifyError(error: unknown): FailureClass {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
    case 'ETIMEOUT':
    case 'ABORT_ERR':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ENOTFOUND':
    case 'ENODATA':
      return 'dns_not_found';
    case 'EAI_AGAIN':
    case 'ESERVFAIL':
    case 'ECONNREFUSED_DNS':
      return 'dns_temporary';
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return 'address_unavailable';
    default:
      if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO/.test(code))
        return 'tls_error';
      return 'other';
  }
}

/** A one-line explanation of a failure class for outputs. */
export function describeFailure(kind: FailureClass, target: string): string {
  switch (kind) {
    case 'refused':
      return `connection to ${target} refused: nothing is listening there`;
    case 'timeout':
      return `no answer from ${target}: filtered by a firewall, host down, or server overloaded`;
    case 'unreachable':
      return `${target} is unreachable: no route to the host`;
    case 'reset':
      return `${target} reset the connection`;
    case 'closed':
      return `${target} closed the connection without answering`;
    case 'dns_not_found':
      return `${target}: no such host name`;
    case 'dns_temporary':
      return `${target}: DNS lookup failed temporarily`;
    case 'address_unavailable':
      return `${target}: address not available on this host`;
    case 'tls_error':
      return `TLS handshake with ${target} failed`;
    case 'protocol_error':
      return `${target} answered with something unexpected`;
    default:
      return `connection to ${target} failed`;
  }
}

/** Where in an exchange a failure happened. */
export type FailurePhase = 'connect' | 'tls' | 'request' | 'body';

export class NetFailure extends Error {
  /** The phase the exchange was in (HTTP probes set it). */
  phase?: FailurePhase;
  /** The first bytes the server sent when they were not what was expected. */
  received?: Buffer;

  constructor(
    readonly kind: FailureClass,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'NetFailure';
  }
}

export function toNetFailure(error: unknown, target: string): NetFailure {
  if (error instanceof NetFailure) return error;
  const kind = classifyError(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const detail = error instanceof Error ? error.message : String(error);
  return new NetFailure(kind, `${describeFailure(kind, target)} (${detail})`, code);
}
