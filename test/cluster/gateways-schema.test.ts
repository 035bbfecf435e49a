import { describe, expect, it } from 'vitest';
import { gatewaysSchema } from '../../src/cluster/gateways-schema.js';

const problems = (input: unknown): string[] => {
  const r = gatewaysSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('portico.yaml gateways:', () => {
  it('accepts a declaration and reads its debounce', () => {
    const r = gatewaysSchema.parse([
      { name: 'edge', target: 'haproxy', to: 'gw/haproxy.cfg', runtimeApi: 'gw/h.sock', debounce: '50ms' },
      { name: 'web', target: 'caddy', to: 'Caddyfile', admin: '127.0.0.1:2020', config: 'lb.yaml' },
    ]);
    expect(r[0]!.debounce).toBe(50);
    expect(r[1]!.admin).toBe('127.0.0.1:2020');
  });

  it('refuses what cannot work, naming the field', () => {
    expect(problems([{ name: 'a', target: 'envoy', to: 'x' }])[0]).toMatch(/^0\.target: /);
    expect(problems([{ name: 'a', target: 'nginx', to: 'x', runtimeApi: 's' }])).toEqual([
      expect.stringMatching(/^0\.runtimeApi: runtimeApi is HAProxy only/),
    ]);
    expect(problems([{ name: 'a', target: 'haproxy', to: 'x', admin: '127.0.0.1:1' }])).toEqual([
      expect.stringMatching(/^0\.admin: .*Caddy only/),
    ]);
    expect(problems([{ name: 'a', target: 'haproxy', to: 'x', listen: '127.0.0.1:1', config: 'c' }])).toEqual(
      [expect.stringMatching(/^0\.listen: give listen or config/)],
    );
    expect(problems([{ name: 'a', target: 'haproxy', to: 'x', debounce: 'soon' }])[0]).toMatch(
      /^0\.debounce: "soon" is not a duration/,
    );
    expect(problems([{ name: 'a', target: 'haproxy', to: 'x', extra: 1 }])).toHaveLength(1);
  });

  it('refuses two gateways with one name or one file', () => {
    expect(
      problems([
        { name: 'a', target: 'haproxy', to: 'x' },
        { name: 'a', target: 'nginx', to: 'x' },
      ]),
    ).toEqual([
      '1.name: gateway "a" is declared twice',
      '1.to: two gateways write x: each needs its own file',
    ]);
  });
});
