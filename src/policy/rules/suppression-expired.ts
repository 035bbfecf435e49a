import type { Rule, Violation } from '../model.js';

/** Suppressions are temporary by design: one past its `until` day is reported and no longer applies. */
export const suppressionExpired: Rule = {
  id: 'suppression-expired',
  defaultSeverity: 'warning',
  summary: 'A suppression in policy.suppress is past its until date: it no longer applies.',
  check(ctx) {
    const out: Violation[] = [];
    const manifest = ctx.project.manifest?.path;
    ctx.policy.suppress.forEach((s, index) => {
      if (s.until >= ctx.today) return;
      const location = manifest ? ctx.locate.at(manifest, ['policy', 'suppress', index]) : undefined;
      out.push({
        message: `the suppression of ${s.rule}${s.service ? ` for ${s.service}` : ''} expired on ${s.until} ("${s.reason}"): fix the finding or renew it with a new until date`,
        ...(s.service ? { service: s.service } : {}),
        ...(location ? { location } : {}),
      });
    });
    return out;
  },
};
