import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/agent/api/consul-filter.js';

const entries = [
  { Service: { ID: 'a', Service: 'web', Tags: ['blue', 'v1'], Meta: { env: 'prod' }, Port: 80 } },
  { Service: { ID: 'b', Service: 'web', Tags: ['green'], Meta: {}, Port: 81 } },
  { Service: { ID: 'c', Service: 'api', Tags: [], Meta: { env: 'dev' }, Port: 82 } },
];
const ids = (filter: string): string[] => entries.filter(parseFilter(filter)).map((e) => e.Service.ID);

describe('Consul filter basics', () => {
  it('equality, inequality, in, contains, empty', () => {
    expect(ids('Service.Service == "web"')).toEqual(['a', 'b']);
    expect(ids('Service.Service != "web"')).toEqual(['c']);
    expect(ids('Service.Meta.env == "prod"')).toEqual(['a']);
    expect(ids('Service.Port == "81"')).toEqual(['b']);
    expect(ids('"blue" in Service.Tags')).toEqual(['a']);
    expect(ids('"blue" not in Service.Tags')).toEqual(['b', 'c']);
    expect(ids('Service.Tags contains "green"')).toEqual(['b']);
    expect(ids('Service.Tags not contains "green"')).toEqual(['a', 'c']);
    expect(ids('Service.Tags is empty')).toEqual(['c']);
    expect(ids('Service.Meta is not empty')).toEqual(['a', 'c']);
    expect(ids('"env" in Service.Meta')).toEqual(['a', 'c']);
  });

  it('and binds tighter than or; keywords inside quotes are values', () => {
    expect(ids('Service.Service == "web" and "v1" in Service.Tags')).toEqual(['a']);
    expect(ids('Service.Service == "api" or "green" in Service.Tags and Service.Service == "web"')).toEqual([
      'b',
      'c',
    ]);
    expect(ids('Service.Meta.env == "a and b"')).toEqual([]);
  });

  it('an expression it cannot read is a 400, never ignored', () => {
    for (const bad of ['Service.Service = "web"', 'Service.Service == web', 'matches(x)', ''])
      expect(() => parseFilter(bad)).toThrow(
        expect.objectContaining({ status: 400, code: 'E_API_BAD_REQUEST' }),
      );
  });
});
