import {
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdPermissionDeniedError,
  GRPCUnauthenticatedError,
} from 'etcd3';
import { PorticoError } from '../../core/errors.js';

/** Errors of our own code (bugs) stay as they are; everything the client raises means "etcd cannot serve us". */
function isProgrammingError(error: unknown): boolean {
  return (
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof SyntaxError ||
    error instanceof ReferenceError
  );
}

/** Turn a failure of the etcd client into E_STORE_UNAVAILABLE naming the endpoints. */
export function storeUnavailable(error: unknown, hosts: string[]): unknown {
  if (error instanceof PorticoError || isProgrammingError(error)) return error;
  const auth =
    error instanceof EtcdAuthenticationFailedError ||
    error instanceof EtcdInvalidAuthTokenError ||
    error instanceof EtcdPermissionDeniedError ||
    error instanceof GRPCUnauthenticatedError;
  const reason = error instanceof Error ? error.message : String(error);
  return new PorticoError('E_STORE_UNAVAILABLE', `etcd at ${hosts.join(', ')} is unavailable: ${reason}`, {
    hint: auth
      ? 'Check PORTICO_ETCD_USER / PORTICO_ETCD_PASSWORD and the role of that user on the key prefix.'
      : 'Start etcd or check --store / PORTICO_STORE (etcd://host:port[,host:port…]) and the network.',
    details: { endpoints: hosts },
    cause: error,
  });
}
