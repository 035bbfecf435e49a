/**
 * grpc-js (under the etcd3 client) passes the target host to tls.connect as the TLS server
 * name, also when it is an IP address (etcds://127.0.0.1:2379). Node then prints DEP0123 on
 * stderr — about the library, nothing a user can act on, in the middle of Portico's output.
 * This drops that one warning code and lets every other warning through.
 */
let installed = false;

export function quietIpServerNameWarning(): void {
  if (installed) return;
  installed = true;
  const original = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const code =
      typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
    if (code === 'DEP0123') return;
    original(warning, ...rest);
  }) as typeof process.emitWarning;
}
