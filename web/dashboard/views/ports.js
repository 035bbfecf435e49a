// Ports: who holds what, the project's conflicts with their fixes, and the reservations.
import { badge, h, section, table } from '../dom.js';

export default {
  id: 'ports',
  title: 'Ports',
  source: '/dashboard/data/ports',
  refreshMs: 10_000,
  render(d) {
    return h(
      'div',
      { class: 'view', 'data-view': 'ports' },
      section(
        `Conflicts (${d.conflicts.length})`,
        d.conflicts.length
          ? h(
              'ol',
              { class: 'findings' },
              d.conflicts.map((c) =>
                h(
                  'li',
                  { class: `finding sev-${c.severity}`, 'data-port': c.port },
                  h(
                    'div',
                    { class: 'finding-head' },
                    badge(c.severity === 'error' ? 'critical' : 'warning', c.severity),
                    h('code', {}, `${c.port}/${c.protocol}`),
                    h('strong', {}, c.summary),
                  ),
                  h('p', {}, h('span', { class: 'label' }, 'Why: '), c.why),
                  h('p', { class: 'fix' }, h('span', { class: 'label' }, 'Fix: '), c.fix),
                ),
              ),
            )
          : h('p', { class: 'ok' }, 'No port conflicts in this project.'),
      ),
      section(
        `Reservations (${d.reservations.length})`,
        d.reservations.length
          ? table(
              'Reserved ports',
              [{ label: 'Port', num: true }, 'Name', 'Project', 'Held by', 'State'],
              d.reservations.map((r) =>
                h(
                  'tr',
                  { 'data-reservation': r.name },
                  h('th', { scope: 'row', class: 'num' }, String(r.port)),
                  h('td', {}, r.name),
                  h('td', {}, r.project),
                  h('td', {}, r.pid ? `pid ${r.pid}` : 'no process (permanent)'),
                  h('td', {}, r.stale ? badge('warning', 'stale') : badge('passing', 'held')),
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'No reservations.'),
      ),
      section(
        `Listening sockets (${d.listeners.length})`,
        d.partial ? h('p', { class: 'muted' }, 'Some owners are hidden: they belong to other users.') : null,
        table(
          'Who holds which port',
          [{ label: 'Port', num: true }, 'Protocol', 'Address', 'Holder', 'User', 'Service'],
          d.listeners.map((l) =>
            h(
              'tr',
              { 'data-port': l.port, class: l.services.length ? 'known' : '' },
              h('th', { scope: 'row', class: 'num' }, String(l.port)),
              h('td', {}, l.protocol),
              h('td', { class: 'mono' }, l.address),
              h('td', {}, l.holder),
              h('td', {}, l.user),
              h(
                'td',
                {},
                l.services.join(', ') || (l.agent ? 'this agent' : h('span', { class: 'muted' }, '—')),
              ),
            ),
          ),
        ),
      ),
    );
  },
};
