/**
 * Connections a service declares in its environment (`DATABASE_URL=postgres://db:5432/app`,
 * `API=http://api:8080`, `CACHE=cache:6379`), and whether each one is encrypted. The judgement
 * is by what is written, never by probing: the scheme, TLS parameters of the schemes that
 * negotiate TLS in-band, and — for a bare `host:port` — the port.
 */
export interface ConnectionRef {
  /** The text as written in the value. */
  text: string;
  host: string;
  port?: number;
  /** Why it travels in plaintext, or undefined when it is (or may be) encrypted. */
  plaintext?: string;
}

/** Schemes that are always plaintext, with the TLS scheme to use instead. */
const plaintextSchemes = new Map([
  ['http', 'https'],
  ['ws', 'wss'],
  ['redis', 'rediss'],
  ['amqp', 'amqps'],
  ['mqtt', 'mqtts'],
  ['ldap', 'ldaps'],
  ['ftp', 'ftps'],
  ['nats', 'tls://'],
  ['memcached', 'a TLS tunnel'],
]);

/** Schemes that negotiate TLS in-band: encrypted only when a parameter requires it. */
const negotiated: Record<string, { param: RegExp; fix: string }> = {
  postgres: { param: /[?&]sslmode=(require|verify-ca|verify-full)\b/i, fix: '?sslmode=verify-full' },
  postgresql: { param: /[?&]sslmode=(require|verify-ca|verify-full)\b/i, fix: '?sslmode=verify-full' },
  mysql: {
    param: /[?&](ssl-mode=(required|verify_ca|verify_identity)|ssl=true|tls=(true|skip-verify|preferred))\b/i,
    fix: '?ssl-mode=VERIFY_IDENTITY',
  },
  mariadb: { param: /[?&](ssl=true|ssl-mode=(required|verify_ca|verify_identity))\b/i, fix: '?ssl=true' },
  mongodb: { param: /[?&](tls|ssl)=true\b/i, fix: '?tls=true' },
};

/** Default ports of plaintext protocols, for `host:port` written without a scheme. */
const plaintextPorts = new Map([
  [80, 'HTTP'],
  [8080, 'HTTP'],
  [6379, 'Redis'],
  [5672, 'AMQP'],
  [1883, 'MQTT'],
  [11211, 'memcached'],
]);

const urlPattern = /\b([a-z][a-z0-9+.-]*):\/\/([^\s,;'"<>]+)/gi;
const bareHostPort = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\d{1,5})$/;

/** Every connection written in one environment value (lists separated by commas or spaces). */
export function connectionRefs(value: string): ConnectionRef[] {
  const refs: ConnectionRef[] = [];
  for (const match of value.matchAll(urlPattern)) {
    const scheme = match[1]!.toLowerCase();
    let url: URL;
    try {
      url = new URL(match[0]);
    } catch {
      continue;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!host) continue;
    const port = url.port ? Number(url.port) : undefined;
    refs.push({ text: match[0], host, ...(port ? { port } : {}), ...judgeUrl(scheme, match[0], port) });
  }
  if (refs.length > 0) return refs;
  for (const item of value.split(/[\s,]+/)) {
    const m = bareHostPort.exec(item);
    if (!m) continue;
    const port = Number(m[2]);
    const protocol = plaintextPorts.get(port);
    refs.push({
      text: item,
      host: m[1]!,
      port,
      ...(protocol ? { plaintext: `port ${port} is plaintext ${protocol}` } : {}),
    });
  }
  return refs;
}

function judgeUrl(scheme: string, text: string, port: number | undefined): { plaintext?: string } {
  const instead = plaintextSchemes.get(scheme);
  if (instead)
    return {
      plaintext: `${scheme}:// is plaintext (use ${instead.includes('/') || instead.includes(' ') ? instead : `${instead}://`})`,
    };
  const inBand = negotiated[scheme];
  if (inBand && !inBand.param.test(text)) {
    return { plaintext: `${scheme}:// without a parameter that requires TLS (add ${inBand.fix})` };
  }
  if (scheme === 'https' && (port === 80 || port === 8080)) {
    return { plaintext: `https:// to port ${port}, the plaintext HTTP port` };
  }
  return {};
}
