import type { TlsCheck } from '../../core/model.js';
import { NetFailure } from '../../net/failure.js';
import { tlsHandshake } from '../../net/tls.js';
import { critical, type Probe, passing, portOf, warning } from '../probe.js';

/** Handshake, then judge the certificate: untrusted / wrong name / expired are critical, expiring soon warns. */
export const tlsProbe: Probe<TlsCheck> = {
  kind: 'tls',
  async run(check, target, ctx) {
    try {
      const r = await tlsHandshake({
        host: target.address,
        port: portOf(check, target),
        ...(check.serverName ? { serverName: check.serverName } : {}),
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
      });
      const cert = r.certificate;
      if (!cert) return critical('the server sent no certificate', 'tls_no_certificate');
      const who = `certificate ${cert.subject} (expires ${cert.validTo.slice(0, 10)})`;
      if (cert.expired) return critical(`${who} has expired`, 'tls_expired');
      if (check.tlsVerify && r.nameMismatch)
        return critical(`${who}: ${r.nameMismatch}`, 'tls_name_mismatch');
      if (check.tlsVerify && !r.trusted) {
        const selfSigned = cert.selfSigned || /SELF_SIGNED/.test(r.verifyError ?? '');
        const reason = selfSigned ? 'tls_self_signed' : 'tls_untrusted';
        return critical(`${who} is not trusted: ${r.verifyError ?? 'unknown issuer'}`, reason);
      }
      if (cert.daysLeft <= check.expiryWarningDays) {
        return warning(`${who} expires in ${cert.daysLeft} days`, 'tls_expiring');
      }
      return passing(
        `TLS ${r.protocol} OK in ${r.handshakeMs.toFixed(1)}ms; ${who}, ${cert.daysLeft} days left`,
      );
    } catch (error) {
      const f = error as NetFailure;
      return critical(f.message, f instanceof NetFailure ? f.kind : 'other');
    }
  },
};
