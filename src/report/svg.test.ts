import { describe, expect, it } from 'vitest';
import type { Topology } from './model.js';
import { topologySvg } from './svg.js';

const hostile = '<script>alert(1)</script>';

function topology(): Topology {
  return {
    services: [
      {
        name: 'web',
        kind: 'compose',
        image: `nginx${hostile}`,
        ports: [{ text: '0.0.0.0:8080->80/tcp', beyondLoopback: true, hostPort: 8080 }],
        networks: ['front'],
      },
      { name: 'db', kind: 'compose', image: 'postgres:16', ports: [], networks: ['back', 'front'] },
      {
        name: 'auth',
        kind: 'manifest',
        ports: [{ text: 'http 127.0.0.1:3001', beyondLoopback: false }],
        networks: [],
      },
    ],
    networks: [
      { name: 'back', internal: true, external: false },
      { name: 'front', internal: false, external: false },
    ],
    routes: [{ name: 'shop', match: `${hostile} /`, targets: ['web'], unresolved: [`"${hostile}"`] }],
  };
}

describe('topologySvg', () => {
  it('draws one node per service, network and route, with an edge per membership and target', () => {
    const svg = topologySvg(topology());
    expect(svg.match(/<g class="svc service /g)).toHaveLength(3);
    expect(svg.match(/<g class="net network/g)).toHaveLength(2);
    expect(svg.match(/<g class="route">/g)).toHaveLength(1);
    expect(svg.match(/class="joins"/g)).toHaveLength(3);
    expect(svg.match(/class="sends"/g)).toHaveLength(1);
    expect(svg).toContain('stroke-dasharray'); // the internal network is dashed
  });

  it('is the same bytes for the same topology (deterministic layout)', () => {
    expect(topologySvg(topology())).toBe(topologySvg(topology()));
  });

  it('escapes every label and never carries markup, scripts or external references', () => {
    const svg = topologySvg(topology());
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toMatch(/\s(href|src)=/);
    expect(svg).not.toMatch(/url\((?!#portico-arrow\))/);
  });
});
