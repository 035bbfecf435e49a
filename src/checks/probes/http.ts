import { formatHostPort } from '../../core/address.js';
import type { HttpCheck } from '../../core/model.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe } from '../../net/http.js';
import { critical, type Probe, passing, portOf, StepLog, warning } from '../probe.js';

/** Status in the expected ranges → passing; 429 → warning (alive but shedding load); else critical. */
export const httpCheckProbe: Probe<HttpCheck> = {
  kind: 'http',
  async run(check, target, ctx) {
    const url = `${check.scheme}://${formatHostPort(target.address, portOf(check, target))}${check.path}`;
    const log = new StepLog();
    try {
      const r = await httpProbe({
        url,
        method: check.method,
        headers: check.headers,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        tlsVerify: check.tlsVerify,
      });
      log.ok('connect');
      if (check.scheme === 'https') log.ok('tls');
      log.ok('request');
      log.ok('read', `${r.status}`);
      const took = `in ${r.timings.total.toFixed(1)}ms`;
      const ok = check.expectStatus.some(([lo, hi]) => r.status >= lo && r.status <= hi);
      if (!ok) {
        log.failed('parse', `status ${r.status}`);
        if (r.status === 429)
          return log.with(warning(`HTTP 429 from ${url} ${took}: the service is shedding load`, 'http_429'));
        return log.with(
          critical(
            `HTTP ${r.status} from ${url} ${took}; expected ${ranges(check.expectStatus)}: ${snippet(r.body)}`,
            'http_status',
          ),
        );
      }
      if (check.expectBody !== undefined && !r.body.includes(check.expectBody)) {
        log.failed('parse', `body lacks "${check.expectBody}"`);
        return log.with(
          critical(
            `HTTP ${r.status} from ${url} ${took}, but the body lacks "${check.expectBody}": ${snippet(r.body)}`,
            'http_body',
          ),
        );
      }
      log.ok('parse');
      return log.with(passing(`HTTP ${r.status} from ${url} ${took}`));
    } catch (error) {
      const f = error instanceof NetFailure ? error : undefined;
      // Every phase before the failing one succeeded; the failing one is named.
      const phases =
        check.scheme === 'https' ? ['connect', 'tls', 'request', 'read'] : ['connect', 'request', 'read'];
      const at =
        f?.kind === 'protocol_error' ? 'parse' : f?.phase === 'body' ? 'read' : (f?.phase ?? 'connect');
      for (const p of phases) {
        if (p === at) break;
        log.ok(p);
      }
      log.failed(at, (error as Error).message);
      return log.with(critical(`${url}: ${(error as Error).message}`, f ? f.kind : 'other'));
    }
  },
};

function ranges(r: Array<[number, number]>): string {
  return r.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
}

function snippet(body: string): string {
  const s = body.replace(/\s+/g, ' ').trim();
  return s.length > 120 ? `${s.slice(0, 120)}…` : s || '(empty body)';
}
