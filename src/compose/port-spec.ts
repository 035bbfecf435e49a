import { PorticoError } from '../core/errors.js';

/** A `ports:` entry after interpolation, before ranges are expanded. */
export interface PortSpec {
  hostIp?: string;
  hostPorts?: { start: number; end: number };
  containerPorts: { start: number; end: number };
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Characters of the (interpolated) entry that hold the host port, to tell which variable set it. */
  hostPortAt?: { start: number; end: number };
}

/**
 * Short syntax, read after interpolation as compose does (docker/go-connections' ParsePortSpec):
 * [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]. An IPv6 host IP may be in brackets
 * ("[::1]:8080:80") or bare ("::1:8080:80": the last two parts are the ports).
 */
export function parseShortPort(text: string, where: string, raw = text): PortSpec {
  let rest = text;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1).toLowerCase();
    rest = rest.slice(0, slash);
  }
  let offset = 0;
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw bad(raw, where, 'unbalanced [ ] around the host IP');
    hostIp = rest.slice(1, close);
    offset = close + 2;
    rest = rest.slice(offset);
  }
  const parts = rest.split(':');
  let hostPart: string | undefined;
  if (parts.length >= 3) {
    if (hostIp !== undefined) throw bad(raw, where, 'expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT');
    hostIp = parts
      .slice(0, -2)
      .join(':')
      .replace(/^\[(.*)\]$/, '$1');
    offset += parts.slice(0, -2).join(':').length + 1;
    parts.splice(0, parts.length - 2);
  }
  if (parts.length === 2) hostPart = parts[0]!;
  const containerPart = parts[parts.length - 1]!;

  const spec: PortSpec = {
    containerPorts: parseRange(containerPart, raw, where, 'container port'),
    protocol: checkProtocol(protocol, raw, where),
  };
  if (hostIp) spec.hostIp = hostIp;
  if (hostPart !== undefined && hostPart !== '') {
    spec.hostPorts = parseRange(hostPart, raw, where, 'host port');
    spec.hostPortAt = { start: offset, end: offset + hostPart.length };
  }
  checkRangeLengths(spec, raw, where);
  return spec;
}

/** Long syntax: { target, published, host_ip, protocol, mode }. Values arrive interpolated. */
export function parseLongPort(entry: Record<string, unknown>, where: string, raw: string): PortSpec {
  const target = entry.target;
  if (target === undefined || target === null)
    throw bad(raw, where, '"target" (the container port) is required');
  const spec: PortSpec = {
    containerPorts: parseRange(String(target), raw, where, 'target'),
    protocol: checkProtocol(String(entry.protocol ?? 'tcp').toLowerCase(), raw, where),
  };
  if (entry.host_ip !== undefined && entry.host_ip !== null && entry.host_ip !== '')
    spec.hostIp = String(entry.host_ip).replace(/^\[(.*)\]$/, '$1');
  if (entry.published !== undefined && entry.published !== null && entry.published !== '') {
    const published = String(entry.published);
    spec.hostPorts = parseRange(published, raw, where, 'published');
    spec.hostPortAt = { start: 0, end: published.length };
  }
  checkRangeLengths(spec, raw, where);
  return spec;
}

function parseRange(text: string, raw: string, where: string, what: string): { start: number; end: number } {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(text);
  if (!m) throw bad(raw, where, `${what} "${text}" is not a port or range`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  for (const p of [start, end]) {
    if (p < 1 || p > 65535) throw bad(raw, where, `${what} ${p} is outside 1-65535`);
  }
  if (end < start) throw bad(raw, where, `${what} range "${text}" ends before it starts`);
  return { start, end };
}

function checkProtocol(protocol: string, raw: string, where: string): PortSpec['protocol'] {
  if (protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp') return protocol;
  throw bad(raw, where, `protocol "${protocol}" is not tcp, udp or sctp`);
}

function checkRangeLengths(spec: PortSpec, raw: string, where: string): void {
  if (!spec.hostPorts) return;
  const hostLen = spec.hostPorts.end - spec.hostPorts.start;
  const containerLen = spec.containerPorts.end - spec.containerPorts.start;
  // A host range with a single container port is allowed: Docker picks one host port from it.
  if (containerLen !== 0 && hostLen !== containerLen) {
    throw bad(raw, where, `host range has ${hostLen + 1} ports but container range has ${containerLen + 1}`);
  }
}

function bad(raw: string, where: string, why: string): PorticoError {
  return new PorticoError('E_COMPOSE_PORT_INVALID', `${where}: invalid port "${raw}": ${why}`, {
    hint: 'Compose port syntax: [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. "127.0.0.1:5432:5432".',
  });
}
