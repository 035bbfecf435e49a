import type { Topology, TopologyService } from './model.js';

/** A box in the picture, in SVG user units. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  width: number;
  height: number;
  columns: { routes?: number; services: number; networks?: number };
  services: Map<string, Box>;
  networks: Map<string, Box>;
  routes: Box[];
}

const pad = 20;
const top = 44;
const gap = 14;
const routeW = 200;
const serviceW = 260;
const networkW = 180;
const columnGap = 90;
const lineH = 15;
/** Port lines drawn per service; the rest are summarised as "+N more". */
export const maxPortLines = 5;

export function serviceHeight(s: TopologyService): number {
  const lines = Math.min(s.ports.length, maxPortLines) + (s.ports.length > maxPortLines ? 1 : 0);
  return 42 + lineH * Math.max(lines, s.networkMode ? 1 : 0) + (lines ? 6 : 0);
}

/**
 * A deterministic three-column layout: balancer routes | services | networks. Services are
 * stacked in topology order (tier, then name); each route and network is placed at the mean
 * height of what it connects to, then pushed down just enough not to overlap the one above, so
 * edges stay short and mostly level without any randomised or iterative solver.
 */
export function layout(topology: Topology): Layout {
  const hasRoutes = topology.routes.length > 0;
  const hasNetworks = topology.networks.length > 0;
  const servicesX = pad + (hasRoutes ? routeW + columnGap : 0);
  const networksX = servicesX + serviceW + columnGap;

  const services = new Map<string, Box>();
  let y = top;
  for (const s of topology.services) {
    const h = serviceHeight(s);
    services.set(s.name, { x: servicesX, y, w: serviceW, h });
    y += h + gap;
  }
  const centre = (name: string) => {
    const b = services.get(name);
    return b ? b.y + b.h / 2 : undefined;
  };

  const networks = new Map<string, Box>();
  const networkH = 44;
  const placedNetworks = stack(
    topology.networks.map((n) => ({
      key: n.name,
      want: mean(topology.services.filter((s) => s.networks.includes(n.name)).map((s) => centre(s.name))),
    })),
    networkH,
  );
  for (const { key, y: ny } of placedNetworks)
    networks.set(key, { x: networksX, y: ny, w: networkW, h: networkH });

  const routeH = 44;
  const routes: Box[] = new Array(topology.routes.length);
  const placedRoutes = stack(
    topology.routes.map((r, i) => ({ key: String(i), want: mean(r.targets.map(centre)) })),
    routeH,
  );
  for (const { key, y: ry } of placedRoutes) routes[Number(key)] = { x: pad, y: ry, w: routeW, h: routeH };

  const bottom = Math.max(y - gap, ...[...networks.values(), ...routes].map((b) => b.y + b.h), top + 40);
  return {
    // Wide enough for the legend line under the picture.
    width: Math.max(660, (hasNetworks ? networksX + networkW : servicesX + serviceW) + pad),
    height: bottom + 48,
    columns: {
      services: servicesX,
      ...(hasRoutes ? { routes: pad } : {}),
      ...(hasNetworks ? { networks: networksX } : {}),
    },
    services,
    networks,
    routes,
  };
}

function mean(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
}

/**
 * Boxes of one height, each wanting its centre at `want` (nothing connected: after the rest),
 * placed in order of `want` (ties by input order) without overlapping.
 */
function stack(
  items: Array<{ key: string; want: number | undefined }>,
  h: number,
): Array<{ key: string; y: number }> {
  const order = items
    .map((item, i) => ({ ...item, i }))
    .sort((a, b) => (a.want ?? Number.POSITIVE_INFINITY) - (b.want ?? Number.POSITIVE_INFINITY) || a.i - b.i);
  const out: Array<{ key: string; y: number }> = [];
  let next = top;
  for (const item of order) {
    const y = Math.max(next, item.want === undefined ? next : Math.round(item.want - h / 2));
    out.push({ key: item.key, y });
    next = y + h + gap;
  }
  return out;
}
