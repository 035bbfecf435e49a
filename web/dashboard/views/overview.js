// Overview: the health score, the seed's KPIs and the open findings with their fixes.
import { badge, h, s, section } from '../dom.js';

const kpiNames = {
  serviceHealth: 'Service health',
  serviceAvailability: 'Service availability',
  discoveryCoverage: 'Discovery coverage',
  interServiceLatency: 'Inter-service latency',
  portConflicts: 'Port conflicts',
  securityViolations: 'Security findings',
  listeners: 'Listening sockets',
};

function scoreRing(score) {
  const value = score?.value ?? null;
  const r = 42;
  const circumference = 2 * Math.PI * r;
  const level = value === null ? 'unknown' : value >= 90 ? 'passing' : value >= 60 ? 'warning' : 'critical';
  return s(
    'svg',
    {
      viewBox: '0 0 100 100',
      class: 'ring',
      role: 'img',
      'aria-label': value === null ? 'no score' : `health score ${value} of 100`,
    },
    s('circle', { cx: 50, cy: 50, r, class: 'ring-track' }),
    s('circle', {
      cx: 50,
      cy: 50,
      r,
      class: `ring-value stroke-${level}`,
      'stroke-dasharray': `${((value ?? 0) / 100) * circumference} ${circumference}`,
      transform: 'rotate(-90 50 50)',
    }),
    s(
      'text',
      { x: 50, y: 56, 'text-anchor': 'middle', class: 'ring-text' },
      value === null ? '—' : String(value),
    ),
  );
}

function kpiCard(key, kpi) {
  const main =
    kpi.percent !== undefined && kpi.percent !== null
      ? `${kpi.percent}%`
      : kpi.p50 !== undefined
        ? kpi.p50 === null
          ? '—'
          : `${kpi.p50} ms`
        : kpi.value !== undefined
          ? String(kpi.value)
          : kpi.total !== undefined
            ? String(kpi.total)
            : '—';
  return h(
    'li',
    { class: 'kpi', 'data-kpi': key },
    h('span', { class: 'kpi-name' }, kpiNames[key] ?? key),
    h('span', { class: 'kpi-value' }, main),
    h('span', { class: 'kpi-text muted' }, kpi.text ?? ''),
  );
}

function finding(f) {
  return h(
    'li',
    { class: `finding sev-${f.severity}`, 'data-code': f.code },
    h(
      'div',
      { class: 'finding-head' },
      badge(f.severity === 'error' ? 'critical' : 'warning', f.severity),
      h('code', {}, f.code),
      h('strong', {}, f.title),
    ),
    h('p', {}, h('span', { class: 'label' }, 'Why: '), f.why),
    h('p', { class: 'fix' }, h('span', { class: 'label' }, 'Fix: '), f.fix),
    f.evidence?.length
      ? h(
          'details',
          {},
          h('summary', {}, `Evidence (${f.evidence.length})`),
          h(
            'ul',
            {},
            f.evidence.map((e) => h('li', {}, h('code', {}, e))),
          ),
        )
      : null,
  );
}

export default {
  id: 'overview',
  title: 'Overview',
  source: '/dashboard/data/overview',
  refreshMs: 10_000,
  render(d) {
    const kpis = Object.entries(kpiNames)
      .filter(([k]) => d[k])
      .map(([k]) => kpiCard(k, d[k]));
    const summary = d.summary ?? {};
    return h(
      'div',
      { class: 'view', 'data-view': 'overview' },
      h(
        'div',
        { class: 'hero' },
        scoreRing(d.score),
        h(
          'div',
          {},
          h('h2', {}, 'Network health'),
          h('p', {}, d.target),
          h(
            'p',
            { class: 'muted' },
            `${summary.checks ?? 0} checks: ${summary.passed ?? 0} passed, ${summary.errors ?? 0} errors, ${summary.warnings ?? 0} warnings · report of ${new Date(d.generatedAt).toLocaleTimeString()} (${d.durationMs} ms)`,
          ),
          d.scope?.text ? h('p', { class: 'muted' }, d.scope.text) : null,
        ),
      ),
      kpis.length ? section('Key figures', h('ul', { class: 'kpis' }, kpis)) : null,
      section(
        `Open findings (${d.findings.length})`,
        d.findings.length
          ? h('ol', { class: 'findings' }, d.findings.map(finding))
          : h('p', { class: 'ok' }, 'Nothing to fix.'),
      ),
      d.notRun?.length
        ? section(
            'Checks that could not run',
            h(
              'ul',
              {},
              d.notRun.map((c) => h('li', {}, h('strong', {}, c.title), ` — ${c.error}`)),
            ),
          )
        : null,
    );
  },
};
