import type { CertificateSeen, TlsCheck } from '../../core/model.js';
import { NetFailure } from '../../net/failure.js';
import { tlsHandshake } from '../../net/tls.js';
import { critical, type Probe, passing, portOf, StepLog, warning } from '../probe.js';

/** Handshake, then judge the certificate: untrusted / wrong name / expired are critical, expiring soon warns. */
export const tlsProbe: Probe<TlsCheck> = {
  kind: 'tls',
  async run(check, target, ctx) {
    const log = new StepLog();
    let seen: CertificateSeen | undefined;
    const judged = (outcome: ReturnType<typeof passing>) => {
      if (outcome.status === 'critical') log.failed('certificate', outcome.output);
      else log.ok('certificate');
      return { ...log.with(outcome), ...(seen ? { certificate: seen } : {}) };
    };
    try {
      const r = await tlsHandshake({
        host: target.address,
        port: portOf(check, target),
        ...(check.serverName ? { serverName: check.serverName } : {}),
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
      });
      log.ok('connect');
      log.ok('tls', r.protocol);
      const cert = r.certificate;
      if (!cert) return judged(critical('the server sent no certificate', 'tls_no_certificate'));
      seen = { subject: cert.subject, validTo: cert.validTo };
      const who = `certificate ${cert.subject} (expires ${cert.validTo.slice(0, 10)})`;
      if (cert.expired) return judged(critical(`${who} has expired`, 'tls_expired'));
      if (cert.notYetValid) return judged(critical(`${who} is not valid yet`, 'tls_not_yet_valid'));
      if (check.tlsVerify && r.nameMismatch)
        return judged(critical(`${who}: ${r.nameMismatch}`, 'tls_name_mismatch'));
      if (check.tlsVerify && !r.trusted) {
        const selfSigned = r.verifyError === 'DEPTH_ZERO_SELF_SIGNED_CERT';
        const reason = selfSigned ? 'tls_self_signed' : 'tls_untrusted';
        return judged(critical(`${who} is not trusted: ${r.verifyError ?? 'unknown issuer'}`, reason));
      }
      if (cert.daysLeft <= check.expiryWarningDays) {
        return judged(warning(`${who} expires in ${cert.daysLeft} days`, 'tls_expiring'));
      }
      return judged(
        passing(`TLS ${r.protocol} OK in ${r.handshakeMs.toFixed(1)}ms; ${who}, ${cert.daysLeft} days left`),
      );
    } catch (error) {
      const f = error as NetFailure;
      // A refused or filtered connect never reached TLS; anything else failed in the handshake.
      if (
        f instanceof NetFailure &&
        ['refused', 'timeout', 'unreachable', 'address_unavailable'].includes(f.kind)
      )
        log.failed('connect', f.message);
      else {
        log.ok('connect');
        log.failed('tls', (error as Error).message);
      }
      return log.with(critical(f.message, f instanceof NetFailure ? f.kind : 'other'));
    }
  },
};
