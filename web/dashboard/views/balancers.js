// Balancers: routes, upstreams, the share each got against the share it should get, latency,
// ejections and panic mode — from each balancer's admin endpoint named with --lb-admin.
import { badge, h, ms, pct, s, section, table } from '../dom.js';

/** Two bars: the share the upstream got, and (outlined) the share its weight entitles it to. */
function shareBars(u) {
  const w = 120;
  return s(
    'svg',
    {
      class: 'share',
      viewBox: `0 0 ${w} 14`,
      width: w,
      height: 14,
      role: 'img',
      'aria-label': `share ${pct(u.share)}, expected ${pct(u.expectedShare)}`,
    },
    s('rect', { x: 0, y: 2, width: w, height: 10, class: 'share-track' }),
    s('rect', {
      x: 0,
      y: 2,
      width: ((Math.min(100, u.share) / 100) * w).toFixed(1),
      height: 10,
      class: 'share-got',
    }),
    s('line', {
      x1: ((u.expectedShare / 100) * w).toFixed(1),
      x2: ((u.expectedShare / 100) * w).toFixed(1),
      y1: 0,
      y2: 14,
      class: 'share-expected',
    }),
  );
}

function route(r) {
  const state = r.panic ? 'critical' : r.upstreams.some((u) => !u.inRotation) ? 'warning' : 'passing';
  return section(
    `Route ${r.name}`,
    h(
      'p',
      {},
      badge(state, r.panic ? 'panic' : state === 'warning' ? 'degraded' : 'healthy'),
      ` ${r.kind === 'tcp' ? 'TCP' : `host ${r.host ?? 'any'}, path ${r.pathPrefix ?? '/'}`}`,
      r.service ? ` → service ${r.service}` : '',
      ` · ${r.algorithm} · ${r.ejections} ejection${r.ejections === 1 ? '' : 's'} (${r.ejectedNow} now)`,
      r.panic
        ? h(
            'strong',
            { class: 'panic' },
            ` · panic: fewer than ${r.panicThresholdPercent}% of upstreams healthy, all get traffic`,
          )
        : '',
    ),
    table(
      `Upstreams of route ${r.name} (share over the last ${r.recentWindowSeconds} s)`,
      [
        'Upstream',
        'State',
        { label: 'Weight', num: true },
        { label: 'Requests', num: true },
        'Share vs expected',
        { label: 'p50', num: true },
        { label: 'p99', num: true },
        { label: 'Ejections', num: true },
        { label: 'Errors', num: true },
      ],
      r.upstreams.map((u) =>
        h(
          'tr',
          { 'data-upstream': u.id },
          h('th', { scope: 'row', class: 'mono' }, `${u.address}:${u.port}`),
          h(
            'td',
            {},
            badge(
              u.ejected ? 'critical' : u.inRotation ? 'passing' : 'warning',
              u.ejected ? 'ejected' : u.inRotation ? 'in rotation' : 'out',
            ),
          ),
          h('td', { class: 'num' }, String(u.weight)),
          h('td', { class: 'num' }, String(u.requests)),
          h(
            'td',
            {},
            shareBars(u),
            h('span', { class: 'num' }, ` ${pct(u.share)} / ${pct(u.expectedShare)}`),
          ),
          h('td', { class: 'num' }, ms(u.p50Ms)),
          h('td', { class: 'num' }, ms(u.p99Ms)),
          h('td', { class: 'num' }, String(u.ejections)),
          h('td', { class: 'num' }, String(u.errors + u.responses5xx)),
        ),
      ),
    ),
  );
}

export default {
  id: 'balancers',
  title: 'Balancers',
  source: '/dashboard/data/balancers',
  refreshMs: 5_000,
  render(d) {
    if (d.balancers.length === 0)
      return h(
        'div',
        { class: 'view' },
        h('h2', {}, 'Balancers'),
        h(
          'p',
          { class: 'muted' },
          'No balancer is shown. Start the agent with --lb-admin HOST:PORT (the admin endpoint of portico lb serve).',
        ),
      );
    return h(
      'div',
      { class: 'view', 'data-view': 'balancers' },
      d.balancers.map((b) =>
        h(
          'article',
          { class: 'balancer', 'aria-label': `Balancer ${b.admin}` },
          h('h2', {}, `Balancer ${b.admin}`),
          b.reachable
            ? [
                h(
                  'p',
                  { class: 'muted' },
                  `listening ${[b.listen.http, b.listen.https, ...Object.values(b.listen.tcp)].filter(Boolean).join(', ')} · since ${new Date(b.startedAt).toLocaleString()}`,
                ),
                b.routes.map(route),
              ]
            : h('p', { class: 'error', role: 'alert' }, `Not answering: ${b.error}`),
        ),
      ),
    );
  },
};
