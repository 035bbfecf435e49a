import { checkDefaults } from '../../../checks/define.js';
import type { ComposeHealthcheck, PublishedPort } from '../../../compose/model.js';
import type { CheckDefinition } from '../../../core/model.js';

/**
 * Turn a compose `healthcheck:` into a Portico check. An HTTP probe of localhost
 * (curl/wget http://localhost:PORT/path) becomes a native http check through the published
 * port — the path clients really take. Anything else runs as-is inside the container.
 */
export function fromComposeHealthcheck(
  hc: ComposeHealthcheck,
  container: string,
  ports: PublishedPort[],
): CheckDefinition | undefined {
  if (hc.disabled || hc.test.length === 0) return undefined;
  const timing = {
    intervalMs: hc.intervalMs ?? 30_000,
    timeoutMs: Math.min(hc.timeoutMs ?? 30_000, hc.intervalMs ?? 30_000),
    rise: checkDefaults.rise,
    fall: hc.retries ?? 3,
  };
  const text = hc.test.join(' ');
  const http =
    /\b(?:curl|wget)\b.*?\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::(\d+))?(\/[^\s'"]*)?/.exec(
      text,
    );
  if (http) {
    const containerPort = Number(http[1] ?? 80);
    const published = ports.find((p) => p.containerPort === containerPort && p.hostPort !== undefined);
    if (published) {
      return {
        id: 'healthcheck',
        origin: 'compose',
        kind: 'http',
        scheme: text.includes('https://') ? 'https' : 'http',
        method: 'GET',
        path: http[2] ?? '/',
        headers: {},
        expectStatus: [[200, 399]],
        tlsVerify: false,
        ...timing,
      };
    }
  }
  // The compose file's own healthcheck runs where Docker runs it: inside that container.
  return { id: 'healthcheck', origin: 'compose', kind: 'command', argv: hc.test, container, ...timing };
}
