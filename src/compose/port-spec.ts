import { PorticoError } from '../core/errors.js';
import { interpolate } from './interpolate.js';

/** A `ports:` entry after interpolation, before ranges are expanded. */
export interface PortSpec {
  hostIp?: string;
  hostPorts?: { start: number; end: number };
  containerPorts: { start: number; end: number };
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Variable the host port came from, when the whole host-port part is one reference. */
  hostPortVariable?: string;
}

type Env = Record<string, string | undefined>;

const placeholder = (i: number): string => `\u0001${i}\u0001`;

/**
 * Short syntax: [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL], with IPv6 host IPs in
 * brackets. Variables are swapped for placeholders first, so a `:` inside `${VAR:-5432}` never
 * splits the entry, and we can tell whether the host port came from a variable.
 */
export function parseShortPort(raw: string, env: Env, where: string): PortSpec {
  const refs: string[] = [];
  const template = raw.trim().replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, (ref) => {
    refs.push(ref);
    return placeholder(refs.length - 1);
  });
  const restore = (part: string): string =>
    interpolate(
      part.replace(/\u0001(\d+)\u0001/g, (_, i: string) => refs[Number(i)]!),
      env,
      where,
    ).value;

  let rest = template;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = restore(rest.slice(slash + 1)).toLowerCase();
    rest = rest.slice(0, slash);
  }
  let hostIpPart: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw bad(raw, where, 'unbalanced [ ] around the host IP');
    hostIpPart = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (hostIpPart === undefined && parts.length > 3) {
    // Unbracketed IPv6 host IP ("::1:8080:80"): the last two parts are the ports.
    hostIpPart = parts.slice(0, -2).join(':');
    parts.splice(0, parts.length - 2);
  } else if (hostIpPart === undefined && parts.length === 3) {
    hostIpPart = parts.shift();
  }
  if (parts.length < 1 || parts.length > 2)
    throw bad(raw, where, 'expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT');
  const containerPart = parts[parts.length - 1]!;
  const hostPart = parts.length === 2 ? parts[0]! : undefined;

  const spec: PortSpec = {
    containerPorts: parseRange(restore(containerPart), raw, where, 'container port'),
    protocol: checkProtocol(protocol, raw, where),
  };
  if (hostIpPart !== undefined) {
    const ip = restore(hostIpPart);
    if (ip) spec.hostIp = ip;
  }
  if (hostPart !== undefined) {
    const hostText = restore(hostPart);
    if (hostText !== '') spec.hostPorts = parseRange(hostText, raw, where, 'host port');
    const single = /^\u0001(\d+)\u0001$/.exec(hostPart);
    if (single) spec.hostPortVariable = variableName(refs[Number(single[1])]!);
  }
  checkRangeLengths(spec, raw, where);
  return spec;
}

/** Long syntax: { target, published, host_ip, protocol, mode }. Values arrive interpolated. */
export function parseLongPort(
  entry: Record<string, unknown>,
  rawPublished: string | undefined,
  where: string,
): PortSpec {
  const target = entry.target;
  if (target === undefined)
    throw bad(JSON.stringify(entry), where, '"target" (the container port) is required');
  const spec: PortSpec = {
    containerPorts: parseRange(String(target), JSON.stringify(entry), where, 'target'),
    protocol: checkProtocol(String(entry.protocol ?? 'tcp').toLowerCase(), JSON.stringify(entry), where),
  };
  if (entry.host_ip !== undefined && entry.host_ip !== '') spec.hostIp = String(entry.host_ip);
  if (entry.published !== undefined && entry.published !== '') {
    spec.hostPorts = parseRange(String(entry.published), JSON.stringify(entry), where, 'published');
  }
  if (rawPublished && /^\$\{?[A-Za-z_]/.test(rawPublished.trim())) {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(rawPublished.trim());
    const wholeRef = /^(\$\{(?:[^{}]|\{[^{}]*\})*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(rawPublished.trim());
    if (m && wholeRef) spec.hostPortVariable = m[1]!;
  }
  checkRangeLengths(spec, JSON.stringify(entry), where);
  return spec;
}

function variableName(ref: string): string {
  return /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(ref)![1]!;
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
