// Services and instances: status, per-check state, the last hour as a sparkline, availability.
import { ago, badge, h, pct, s, section, table } from '../dom.js';

const rank = { passing: 0, unknown: 1, warning: 2, critical: 3 };
const level = { passing: 4, unknown: 12, warning: 12, critical: 20 };

/** The status over the window as a step line: up is passing, down is critical. */
function sparkline(instance, window) {
  const width = 160;
  const height = 24;
  // From the first known status (a young agent knows less than an hour), so the figures fill the line.
  const known = instance.segments.find((seg) => seg.status !== 'unknown');
  const from = Math.max(window.from, known?.from ?? window.from);
  const span = Math.max(1, window.to - from);
  const x = (t) => (Math.max(0, t - from) / span) * width;
  const shown = instance.segments.filter((seg) => seg.to > from);
  const parts = shown.map((seg) =>
    s('rect', {
      x: x(seg.from).toFixed(1),
      // Full height, so a short outage is as visible as a long run of passing.
      y: 0,
      width: Math.max(2, x(seg.to) - x(seg.from)).toFixed(1),
      height,
      class: `fill-${seg.status}`,
    }),
  );
  const points = shown.flatMap((seg) => [
    `${x(seg.from).toFixed(1)},${level[seg.status]}`,
    `${x(seg.to).toFixed(1)},${level[seg.status]}`,
  ]);
  const changes = Math.max(0, shown.length - 1);
  return s(
    'svg',
    {
      class: 'spark',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': `${from > window.from ? `since ${new Date(from).toLocaleTimeString()}` : 'last hour'}: ${changes} status change${changes === 1 ? '' : 's'}, now ${instance.status}, available ${pct(instance.availability)}`,
    },
    parts,
    s('polyline', { points: points.join(' '), class: 'spark-line' }),
  );
}

function instanceRow(i, window) {
  return h(
    'tr',
    { 'data-instance-id': i.id },
    h('th', { scope: 'row' }, h('span', { class: 'mono' }, i.id)),
    h('td', { class: 'mono' }, `${i.address}:${i.port}`),
    h('td', { class: 'status-cell' }, badge(i.status)),
    h(
      'td',
      {},
      i.checks.length
        ? h(
            'ul',
            { class: 'checks' },
            i.checks.map((c) =>
              h(
                'li',
                { 'data-check-id': c.id },
                badge(c.status),
                ` ${c.kind} `,
                h('span', { class: 'muted' }, c.output ? `— ${c.output}` : ''),
                c.since ? h('span', { class: 'muted' }, ` (since ${ago(c.since)})`) : null,
              ),
            ),
          )
        : h('span', { class: 'muted' }, 'no checks'),
    ),
    h('td', {}, sparkline(i, window)),
    h('td', { class: 'num' }, pct(i.availability)),
  );
}

export default {
  id: 'services',
  title: 'Services',
  source: '/dashboard/data/instances',
  render(d) {
    if (d.services.length === 0)
      return h(
        'div',
        { class: 'view' },
        h('h2', {}, 'Services'),
        h('p', { class: 'muted' }, 'The catalog of this project is empty.'),
      );
    return h(
      'div',
      { class: 'view', 'data-view': 'services' },
      section(
        'Services',
        table(
          'Services of the project and the worst status among their instances',
          ['Service', 'Status', { label: 'Passing', num: true }, { label: 'Availability (1 h)', num: true }],
          d.services.map((svc) =>
            h(
              'tr',
              { 'data-service': svc.name },
              h('th', { scope: 'row' }, svc.name),
              h('td', {}, badge(svc.status)),
              h('td', { class: 'num' }, `${svc.passing}/${svc.instances}`),
              h('td', { class: 'num' }, pct(svc.availability)),
            ),
          ),
        ),
      ),
      d.services.map((svc) =>
        section(
          `Instances of ${svc.name}`,
          table(
            `Instances of ${svc.name}: checks, the last hour and availability`,
            ['Instance', 'Address', 'Status', 'Checks', 'Last hour', { label: 'Availability', num: true }],
            d.instances.filter((i) => i.service === svc.name).map((i) => instanceRow(i, d.window)),
          ),
        ),
      ),
    );
  },
  /** A check event: redraw that instance's status at once, before the re-read. */
  patch(root, d, event) {
    const instance = d.instances.find((i) => i.id === event.instanceId);
    const check = instance?.checks.find((c) => c.id === event.checkId);
    if (!check) return;
    check.status = event.status;
    check.output = event.output;
    instance.status = instance.checks.reduce((a, c) => (rank[c.status] > rank[a] ? c.status : a), 'passing');
    const row = root.querySelector(`[data-instance-id="${CSS.escape(instance.id)}"]`);
    if (!row) return;
    row.querySelector('.status-cell').replaceChildren(badge(instance.status));
    row.querySelector(`[data-check-id="${CSS.escape(check.id)}"] .badge`)?.replaceWith(badge(check.status));
  },
};
