import { escapeHtml as e } from './escape.js';
import { type Box, layout, maxPortLines } from './layout.js';
import type { Topology } from './model.js';

/** Shorten a label to what fits its box (the full text stays in the node's <title>). */
function clip(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}

function label(x: number, y: number, text: string, cls: string): string {
  return `<text x="${x}" y="${y}" class="${cls}">${e(text)}</text>`;
}

/** A left-to-right curve from the right edge of `a` to the left edge of `b`. */
function edge(a: Box, b: Box, cls: string, arrow = false): string {
  const x1 = a.x + a.w;
  const y1 = a.y + a.h / 2;
  const x2 = b.x - (arrow ? 3 : 0);
  const y2 = b.y + b.h / 2;
  const mid = (x1 + x2) / 2;
  return `<path class="${cls}" d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}"${arrow ? ' marker-end="url(#portico-arrow)"' : ''}/>`;
}

/**
 * The topology as one inline SVG: no scripts, no external references, every label escaped.
 * The same topology always gives the same bytes.
 */
export function topologySvg(topology: Topology): string {
  const l = layout(topology);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${l.width}" height="${l.height}" viewBox="0 0 ${l.width} ${l.height}" role="img" aria-labelledby="portico-topology-title">`,
    '<title id="portico-topology-title">Network topology: balancer routes, services with their published ports, networks</title>',
    '<defs><marker id="portico-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8250df"/></marker></defs>',
    `<style>
.topology text{font:13px system-ui,'DejaVu Sans',sans-serif;fill:#1b1f24}
.topology .head{font-weight:600;fill:#57606a;font-size:12px;letter-spacing:.04em}
.topology .name{font-weight:600}
.topology .sub{font-size:11px;fill:#57606a}
.topology .port{font:11px ui-monospace,'DejaVu Sans Mono',monospace;fill:#1b1f24}
.topology .port.public{fill:#cf222e;font-weight:600}
.topology .bad{font-size:11px;fill:#cf222e}
.topology .svc rect{fill:#eef4ff;stroke:#0969da;stroke-width:1.5}
.topology .svc.manifest rect{fill:#eefbf1;stroke:#1a7f37}
.topology .net rect{fill:#fff8e6;stroke:#bf8700;stroke-width:1.5}
.topology .net.internal rect{stroke-dasharray:5 3}
.topology .route rect{fill:#f6f0ff;stroke:#8250df;stroke-width:1.5}
.topology .joins{fill:none;stroke:#bf8700;stroke-width:1.2;opacity:.7}
.topology .sends{fill:none;stroke:#8250df;stroke-width:1.5}
</style>`,
  );
  if (l.columns.routes !== undefined) parts.push(label(l.columns.routes, 26, 'BALANCER ROUTES', 'head'));
  parts.push(label(l.columns.services, 26, 'SERVICES', 'head'));
  if (l.columns.networks !== undefined) parts.push(label(l.columns.networks, 26, 'NETWORKS', 'head'));

  // Edges under the boxes.
  for (const s of topology.services) {
    const from = l.services.get(s.name)!;
    for (const n of s.networks) {
      const to = l.networks.get(n);
      if (to) parts.push(edge(from, to, 'joins'));
    }
  }
  topology.routes.forEach((r, i) => {
    for (const t of r.targets) {
      const to = l.services.get(t);
      if (to) parts.push(edge(l.routes[i]!, to, 'sends', true));
    }
  });

  topology.routes.forEach((r, i) => {
    const b = l.routes[i]!;
    const bad = r.unresolved.length ? `not in project: ${r.unresolved.join(', ')}` : '';
    parts.push(
      `<g class="route"><title>${e(`route ${r.name}: ${r.match}${r.targets.length ? ` → ${r.targets.join(', ')}` : ''}${bad ? ` (${bad})` : ''}`)}</title>`,
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>`,
      label(b.x + 10, b.y + 18, clip(r.name, 26), 'name'),
      label(b.x + 10, b.y + 34, clip(bad || r.match, 32), bad ? 'bad' : 'sub'),
      '</g>',
    );
  });

  for (const s of topology.services) {
    const b = l.services.get(s.name)!;
    const sub = [s.kind === 'manifest' ? 'portico.yaml' : s.image, s.tier ? `tier ${s.tier}` : undefined]
      .filter(Boolean)
      .join(' · ');
    const lines: string[] = [];
    let y = b.y + 52;
    for (const p of s.ports.slice(0, maxPortLines)) {
      lines.push(
        label(
          b.x + 10,
          y,
          clip(`${p.text}${p.beyondLoopback ? '  public' : ''}`, 38),
          p.beyondLoopback ? 'port public' : 'port',
        ),
      );
      y += 15;
    }
    if (s.ports.length > maxPortLines)
      lines.push(label(b.x + 10, y, `+${s.ports.length - maxPortLines} more`, 'sub'));
    if (s.networkMode && s.ports.length === 0)
      lines.push(label(b.x + 10, y, clip(`network_mode: ${s.networkMode}`, 38), 'bad'));
    parts.push(
      `<g class="svc service ${s.kind}" data-service="${e(s.name)}"><title>${e(`${s.name}${sub ? ` (${sub})` : ''}`)}</title>`,
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>`,
      label(b.x + 10, b.y + 18, clip(s.name, 32), 'name'),
      label(b.x + 10, b.y + 34, clip(sub || 'no image', 40), 'sub'),
      ...lines,
      '</g>',
    );
  }

  for (const n of topology.networks) {
    const b = l.networks.get(n.name)!;
    const kind = [n.internal ? 'internal' : 'not internal', n.external ? 'external' : undefined]
      .filter(Boolean)
      .join(' · ');
    parts.push(
      `<g class="net network${n.internal ? ' internal' : ''}" data-network="${e(n.name)}"><title>${e(`network ${n.name} (${kind})`)}</title>`,
      `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/>`,
      label(b.x + 10, b.y + 18, clip(n.name, 22), 'name'),
      label(b.x + 10, b.y + 34, kind, 'sub'),
      '</g>',
    );
  }
  if (topology.services.length === 0)
    parts.push(label(l.columns.services, 70, 'no services declared', 'sub'));
  parts.push(
    label(
      20,
      l.height - 16,
      'red port: published beyond loopback · dashed network: internal · arrow: balancer route',
      'sub',
    ),
    '</svg>',
  );
  return parts.join('\n');
}
