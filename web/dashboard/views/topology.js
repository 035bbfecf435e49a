// Topology: balancer routes → services → networks, drawn as SVG in three columns, with the same
// connections as a list for screen readers.
import { h, s, section } from '../dom.js';

const nodeW = 200;
const nodeH = 44;
const gap = 18;
const columns = { route: 20, service: 300, network: 580 };

function layout(items, kind) {
  return items.map((item, i) => ({ ...item, kind, x: columns[kind], y: 40 + i * (nodeH + gap) }));
}

function node(n) {
  const label =
    n.kind === 'route'
      ? `route ${n.name} (${n.match})`
      : n.kind === 'service'
        ? `service ${n.name}, ${n.status}`
        : `network ${n.name}`;
  const short = (t) => (t.length > 24 ? `${t.slice(0, 23)}…` : t);
  return s(
    'g',
    {
      class: `node node-${n.kind} ${n.status ? `status-${n.status}` : ''}`,
      tabindex: 0,
      role: 'img',
      'aria-label': label,
      'data-node': n.id,
    },
    s('title', {}, label),
    s('rect', { x: n.x, y: n.y, width: nodeW, height: nodeH, rx: 8 }),
    s('text', { x: n.x + 12, y: n.y + 18, class: 'node-name' }, short(n.name)),
    s(
      'text',
      { x: n.x + 12, y: n.y + 34, class: 'node-sub' },
      n.kind === 'service'
        ? `${n.status} · ${n.instances} instance${n.instances === 1 ? '' : 's'}`
        : n.kind === 'route'
          ? short(n.match)
          : 'network',
    ),
  );
}

export default {
  id: 'topology',
  title: 'Topology',
  source: '/dashboard/data/topology',
  render(d) {
    const nodes = [
      ...layout(d.routes, 'route'),
      ...layout(d.services, 'service'),
      ...layout(d.networks, 'network'),
    ];
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const rows = Math.max(1, d.routes.length, d.services.length, d.networks.length);
    const height = 40 + rows * (nodeH + gap) + 10;
    const edges = d.links.flatMap((l) => {
      const a = byId.get(l.from);
      const b = byId.get(l.to);
      if (!a || !b) return [];
      const x1 = a.x + nodeW;
      const y1 = a.y + nodeH / 2;
      const x2 = b.x;
      const y2 = b.y + nodeH / 2;
      const mid = (x1 + x2) / 2;
      return [
        s('path', { d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`, class: `edge edge-${l.kind}` }),
      ];
    });
    const heads = Object.entries({ route: 'Routes', service: 'Services', network: 'Networks' }).map(
      ([k, t]) => s('text', { x: columns[k], y: 24, class: 'col-head' }, t),
    );
    const name = (id) => byId.get(id)?.name ?? id;
    return h(
      'div',
      { class: 'view', 'data-view': 'topology' },
      section(
        'Topology',
        s(
          'svg',
          {
            class: 'topology',
            viewBox: `0 0 800 ${height}`,
            role: 'group',
            'aria-label': `${d.services.length} services, ${d.networks.length} networks, ${d.routes.length} routes`,
          },
          heads,
          edges,
          nodes.map(node),
        ),
        d.routes.length === 0
          ? h('p', { class: 'muted' }, 'No balancer routes (start the agent with --lb-admin to show them).')
          : null,
      ),
      section(
        'Connections',
        h(
          'ul',
          { class: 'links' },
          d.links.map((l) =>
            h(
              'li',
              {},
              `${l.kind === 'route' ? 'route' : 'service'} ${name(l.from)} ${l.kind === 'route' ? 'sends to service' : 'is on network'} ${name(l.to)}`,
            ),
          ),
        ),
      ),
    );
  },
};
