import type { IncomingHttpHeaders } from 'node:http';

/**
 * Header rules of a correct HTTP/1.1 proxy (RFC 9110 §7.6.1): hop-by-hop headers, and any
 * header the Connection header names, stop here. X-Forwarded-*, Forwarded (RFC 7239) and
 * X-Real-IP describe the real client: an upstream may log, rate-limit or authorize by them, so
 * a client can never plant them. They are extended (or, for X-Real-IP, kept) only when the
 * previous hop is a trusted proxy; from anyone else they are dropped and rebuilt from the socket.
 */
export const hopByHop: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

export interface ForwardingFacts {
  clientIp: string;
  /** 'http' or 'https': how the client reached us. */
  proto: string;
  /** Whether the connecting peer is a trusted proxy whose forwarding headers we extend. */
  trusted: boolean;
  /** Keep Connection/Upgrade (WebSocket handshakes). */
  upgrade?: boolean;
}

/** Request headers for the upstream, as the flat [name, value, …] list undici accepts. */
export function upstreamRequestHeaders(raw: string[], facts: ForwardingFacts): string[] {
  const named = connectionTokens(raw);
  const out: string[] = [];
  let xff: string | undefined;
  let proto: string | undefined;
  let host: string | undefined;
  let forwardedHost: string | undefined;
  let forwarded: string | undefined;
  let realIp: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = named ? name.toLowerCase() : lowerIfSpecial(name);
    if (lower === undefined) {
      out.push(name, value);
      continue;
    }
    if (lower === 'host') host = value;
    if (lower.startsWith('x-forwarded-')) {
      if (facts.trusted) {
        if (lower === 'x-forwarded-for') xff = xff ? `${xff}, ${value}` : value;
        else if (lower === 'x-forwarded-proto') proto = value;
        else if (lower === 'x-forwarded-host') forwardedHost = value;
      }
      continue; // rebuilt below; an untrusted client cannot plant them
    }
    if (lower === 'forwarded' || lower === 'x-real-ip') {
      if (facts.trusted) {
        if (lower === 'forwarded') forwarded = forwarded ? `${forwarded}, ${value}` : value;
        else realIp ??= value;
      }
      continue; // same rule as X-Forwarded-*
    }
    if (facts.upgrade && (lower === 'connection' || lower === 'upgrade')) {
      out.push(name, value);
      continue;
    }
    if (hopByHop.has(lower) || named?.has(lower)) continue;
    out.push(name, value);
  }
  out.push('x-forwarded-for', xff ? `${xff}, ${facts.clientIp}` : facts.clientIp);
  out.push('x-forwarded-proto', proto ?? facts.proto);
  if (forwardedHost ?? host) out.push('x-forwarded-host', (forwardedHost ?? host)!);
  const element = forwardedElementCached(facts.clientIp, facts.proto, host);
  out.push('forwarded', forwarded ? `${forwarded}, ${element}` : element);
  // The client as the first trusted hop saw it; otherwise the peer of this socket.
  out.push('x-real-ip', realIp ?? facts.clientIp);
  return out;
}

/**
 * The element for the last (client, proto, host) seen: keep-alive clients send the same ones
 * request after request, and building it costs an array, a regex test and a join.
 */
let lastElement = { clientIp: '', proto: '', host: undefined as string | undefined, value: '' };
function forwardedElementCached(clientIp: string, proto: string, host: string | undefined): string {
  const last = lastElement;
  if (last.value !== '' && last.clientIp === clientIp && last.proto === proto && last.host === host)
    return last.value;
  const value = forwardedElement(clientIp, proto, host);
  lastElement = { clientIp, proto, host, value };
  return value;
}

/** One RFC 7239 element for this hop: IPv6 addresses are bracketed and quoted, hosts quoted if needed. */
function forwardedElement(clientIp: string, proto: string, host: string | undefined): string {
  const ip = clientIp.startsWith('::ffff:') ? clientIp.slice(7) : clientIp;
  const node = ip === '' ? 'unknown' : ip.includes(':') ? `"[${ip}]"` : ip;
  const parts = [`for=${node}`, `proto=${proto}`];
  if (host) parts.push(`host=${/^[A-Za-z0-9.-]+$/.test(host) ? host : `"${host.replace(/["\\]/g, '')}"`}`);
  return parts.join(';');
}

/**
 * Response headers for the client, from the upstream's raw [name, value, …] list (undici's
 * `controller.rawHeaders`: names as the upstream spelled them, in its order): hop-by-hop ones
 * and those the Connection header names are dropped.
 */
export function clientResponseHeaders(raw: Buffer[] | string[], extra?: [string, string]): string[] {
  const out: string[] = [];
  let named: ReadonlySet<string> = noTokens;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString();
    const lower = lowerIfSpecial(name);
    const value = raw[i + 1]!;
    if (lower === 'connection') named = tokens(value.toString());
    if (lower !== undefined && hopByHop.has(lower)) continue;
    out.push(name, typeof value === 'string' ? value : value.toString('latin1'));
  }
  if (named.size > 0) {
    for (let i = out.length - 2; i >= 0; i -= 2) if (named.has(out[i]!.toLowerCase())) out.splice(i, 2);
  }
  if (extra) out.push(extra[0], extra[1]);
  return out;
}

/** The same from undici's parsed headers (lowercased names), for a dispatcher without raw ones. */
export function clientResponseHeadersFromParsed(
  headers: IncomingHttpHeaders,
  extra?: [string, string],
): Array<string | string[]> {
  const out: Array<string | string[]> = [];
  const connection = headers.connection;
  const named = connection === undefined ? noTokens : tokens(String(connection));
  for (const name in headers) {
    if (hopByHop.has(name) || named.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) out.push(name, value);
  }
  if (extra) out.push(extra[0], extra[1]);
  return out;
}

/**
 * Lengths of the names these rules look at: hop-by-hop ones, Host, Forwarded, X-Real-IP and
 * X-Forwarded-For/-Host/-Proto. Other names are passed on without being lower-cased (a string
 * allocation per header and request otherwise).
 */
const specialLength = new Uint8Array(32);
for (const n of [
  ...hopByHop,
  'host',
  'forwarded',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
])
  specialLength[n.length] = 1;

/** The name lower-cased if a rule may apply to it (any X-Forwarded-* too), else undefined. */
function lowerIfSpecial(name: string): string | undefined {
  const n = name.length;
  if (n < 32 && specialLength[n] === 1) return name.toLowerCase();
  // X-Forwarded-Port, -Prefix, -Server, …: every X-Forwarded-* is rebuilt, never passed on.
  if (n >= 12 && name.charCodeAt(11) === 0x2d && (name.charCodeAt(0) | 0x20) === 0x78)
    return name.toLowerCase();
  return undefined;
}

function connectionTokens(raw: string[]): Set<string> | undefined {
  let set: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') {
      set ??= new Set();
      for (const t of tokens(raw[i + 1]!)) set.add(t);
    }
  }
  return set;
}

const noTokens: ReadonlySet<string> = new Set();

/**
 * Fields a Connection header may not remove: they frame or address the message, and the fast
 * path forwards the body by the Content-Length it read. Dropping one because the sender named
 * it would turn the body into a request (or response) of its own: smuggling.
 */
const endToEnd = new Set(['content-length', 'host']);

function tokens(value: string): ReadonlySet<string> {
  // What nearly every upstream sends: nothing named beyond the hop-by-hop set.
  if (value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close')
    return noTokens;
  return new Set(
    value
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t && t !== 'close' && t !== 'keep-alive' && !endToEnd.has(t)),
  );
}

/** Whether a Connection value names fields besides close and keep-alive (they stop at this hop too). */
export function namesOtherFields(value: string): boolean {
  return tokens(value).size > 0;
}

let lastLines = { clientIp: '', proto: '', host: undefined as string | undefined, lines: Buffer.alloc(0) };

/**
 * The forwarding fields `upstreamRequestHeaders` appends to a request that brought none a
 * trusted proxy vouches for, as header lines in latin1 bytes, and the blank line that ends the
 * head. Kept for the last (client,
 * proto, host): a keep-alive client sends the same ones request after request.
 */
export function ownForwardingLines(clientIp: string, proto: string, host: string | undefined): Buffer {
  const last = lastLines;
  if (last.clientIp === clientIp && last.proto === proto && last.host === host) return last.lines;
  let text = `x-forwarded-for: ${clientIp}\r\nx-forwarded-proto: ${proto}\r\n`;
  if (host) text += `x-forwarded-host: ${host}\r\n`;
  // The blank line that ends the head comes with them: one copy less per request.
  text += `forwarded: ${forwardedElement(clientIp, proto, host)}\r\nx-real-ip: ${clientIp}\r\n\r\n`;
  const lines = Buffer.from(text, 'latin1');
  lastLines = { clientIp, proto, host, lines };
  return lines;
}
