import { formatHostPort } from '../../core/address.js';
import type { HttpCheck } from '../../core/model.js';
import { NetFailure } from '../../net/failure.js';
import { httpProbe } from '../../net/http.js';
import { critical, type Probe, passing, portOf, warning } from '../probe.js';

/** Status in the expected ranges → passing; 429 → warning (alive but shedding load); else critical. */
export const httpCheckProbe: Probe<HttpCheck> = {
  kind: 'http',
  async run(check, target, ctx) {
    const url = `${check.scheme}://${formatHostPort(target.address, portOf(check, target))}${check.path}`;
    try {
      const r = await httpProbe({
        url,
        method: check.method,
        headers: check.headers,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        tlsVerify: check.tlsVerify,
      });
      const took = `in ${r.timings.total.toFixed(1)}ms`;
      const ok = check.expectStatus.some(([lo, hi]) => r.status >= lo && r.status <= hi);
      if (!ok) {
        if (r.status === 429)
          return warning(`HTTP 429 from ${url} ${took}: the service is shedding load`, 'http_429');
        return critical(
          `HTTP ${r.status} from ${url} ${took}; expected ${ranges(check.expectStatus)}: ${snippet(r.body)}`,
          'http_status',
        );
      }
      if (check.expectBody !== undefined && !r.body.includes(check.expectBody)) {
        return critical(
          `HTTP ${r.status} from ${url} ${took}, but the body lacks "${check.expectBody}": ${snippet(r.body)}`,
          'http_body',
        );
      }
      return passing(`HTTP ${r.status} from ${url} ${took}`);
    } catch (error) {
      const f = error as NetFailure;
      return critical(`${url}: ${f.message}`, f instanceof NetFailure ? f.kind : 'other');
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
