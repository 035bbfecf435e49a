import { describe, expect, it } from 'vitest';
import { parseCheckSpec } from '../../checks/define.js';
import type { CheckDefinition, CheckState, Instance } from '../../core/model.js';
import type { Conflict } from '../../ports/conflicts/model.js';
import { AlertBook, evaluateAll } from './evaluate.js';
import { type AlertSnapshot, certificateKey, evaluateRule } from './rules.js';
import { alertsSchema } from './schema.js';

const now = 1_800_000_000_000;
const day = 86_400_000;

function rules(yaml: unknown) {
  return alertsSchema.parse({
    receivers: { ops: { type: 'webhook', url: 'http://127.0.0.1:9/x' } },
    rules: yaml,
  }).rules;
}

/** Real definitions, as portico.yaml or the CLI make them. */
const check = (id: string, kind: 'http' | 'tls' = 'http'): CheckDefinition =>
  parseCheckSpec(kind === 'http' ? `http:/health,id=${id}` : `tls,id=${id}`);

function instance(id: string, service: string, checks: CheckDefinition[]): Instance {
  return {
    id,
    service,
    address: '127.0.0.1',
    port: 8080,
    protocol: 'http',
    tags: [],
    meta: {},
    source: 'manifest',
    checks,
  };
}

function state(instanceId: string, checkId: string, status: CheckState['status'], since: number): CheckState {
  return { instanceId, checkId, status, output: `${status} output`, since };
}

function snapshot(over: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return { now, catalog: [], certificates: new Map(), ...over };
}

describe('alert rules', () => {
  it('instance-down fires only after `for`, counted from the earliest critical check', () => {
    const web = instance('web-1', 'web', [check('http'), check('tcp')]);
    const catalog = [
      {
        instance: web,
        states: [
          state('web-1', 'http', 'critical', now - 20_000),
          state('web-1', 'tcp', 'critical', now - 40_000),
        ],
      },
    ];
    const [thirty] = rules([{ kind: 'instance-down', for: '30s' }]);
    const [minute] = rules([{ kind: 'instance-down', for: '1m' }]);
    expect(evaluateRule(thirty!, snapshot({ catalog }))).toMatchObject([
      { key: 'instance-down:web-1', severity: 'error', details: { since: now - 40_000 } },
    ]);
    expect(evaluateRule(minute!, snapshot({ catalog }))).toEqual([]);
    const [other] = rules([{ kind: 'instance-down', service: 'db' }]);
    expect(evaluateRule(other!, snapshot({ catalog }))).toEqual([]);
  });

  it('finding fires at or above its severity, keyed by code, instance and check', () => {
    const web = instance('web-1', 'web', [check('http'), check('slow')]);
    const catalog = [
      {
        instance: web,
        states: [state('web-1', 'http', 'critical', now), state('web-1', 'slow', 'warning', now)],
      },
    ];
    const [errors] = rules([{ kind: 'finding', severity: 'error' }]);
    const [warnings] = rules([{ kind: 'finding' }]);
    expect(evaluateRule(errors!, snapshot({ catalog })).map((a) => a.key)).toEqual([
      'finding:HEALTH_SERVICE_DOWN:web-1/http',
    ]);
    expect(evaluateRule(warnings!, snapshot({ catalog })).map((a) => a.key)).toEqual([
      'finding:HEALTH_SERVICE_DOWN:web-1/http',
      'finding:HEALTH_CHECK_WARNING:web-1/slow',
    ]);
  });

  it('certificate-expiring judges the seen certificate against its own horizon; expired is an error', () => {
    const site = instance('site-1', 'site', [check('tls', 'tls')]);
    const catalog = [{ instance: site, states: [] }];
    const seen = (validTo: number) =>
      new Map([
        [certificateKey('site-1', 'tls'), { subject: 'CN=site', validTo: new Date(validTo).toISOString() }],
      ]);
    const [rule] = rules([{ kind: 'certificate-expiring', within: 14 }]);
    expect(evaluateRule(rule!, snapshot({ catalog, certificates: seen(now + 20 * day) }))).toEqual([]);
    expect(evaluateRule(rule!, snapshot({ catalog, certificates: seen(now + 10 * day) }))).toMatchObject([
      { severity: 'warning', details: { daysLeft: 10 } },
    ]);
    expect(evaluateRule(rule!, snapshot({ catalog, certificates: seen(now - day) }))).toMatchObject([
      { severity: 'error' },
    ]);
  });

  it('port-conflict keeps conflicts at or above its severity', () => {
    const conflict = (severity: 'error' | 'warning', port: number) =>
      ({
        kind: 'in-use-by-process',
        severity,
        port,
        protocol: 'tcp',
        claims: [{ service: 'db' }],
        holders: [],
        summary: 's',
        why: 'w',
        fix: 'f',
      }) as unknown as Conflict;
    const [rule] = rules([{ kind: 'port-conflict' }]);
    const alerts = evaluateRule(
      rule!,
      snapshot({ conflicts: [conflict('error', 5432), conflict('warning', 80)] }),
    );
    expect(alerts.map((a) => a.key)).toEqual(['port-conflict:in-use-by-process:5432/tcp:db']);
  });

  it('AlertBook: one firing per key while it holds, one resolve when it is gone', () => {
    const book = new AlertBook();
    const web = instance('web-1', 'web', [check('http')]);
    const down = [{ instance: web, states: [state('web-1', 'http', 'critical', now)] }];
    const up = [{ instance: web, states: [state('web-1', 'http', 'passing', now)] }];
    const all = rules([{ kind: 'instance-down' }]);
    const to = () => ['ops'];
    expect(book.update(evaluateAll(all, snapshot({ catalog: down })), now, to).fired).toHaveLength(1);
    expect(book.update(evaluateAll(all, snapshot({ catalog: down })), now + 1, to)).toEqual({
      fired: [],
      resolved: [],
    });
    const gone = book.update(evaluateAll(all, snapshot({ catalog: up })), now + 2, to);
    expect(gone.resolved).toMatchObject([{ startsAt: now, endsAt: now + 2, receivers: ['ops'] }]);
    expect(book.list()).toEqual([]);
  });
});

describe('alerts schema', () => {
  const base = { receivers: { ops: { type: 'webhook', url: 'https://hooks.example.test/x' } } };
  const issue = (input: unknown) => alertsSchema.safeParse(input).error?.issues[0]?.message;

  it('refuses secrets written inline and credentials in URLs', () => {
    expect(
      issue({
        receivers: {
          ops: { type: 'webhook', url: 'https://h.test/', headers: { Authorization: 'Bearer x' } },
        },
      }),
    ).toMatch(/carries a secret/);
    expect(issue({ receivers: { ops: { type: 'webhook', url: 'https://u:p@h.test/' } } })).toMatch(
      /no credentials in the URL/,
    );
    expect(issue({ receivers: { ops: { type: 'webhook', url: 'ftp://h.test/' } } })).toMatch(/http/);
    expect(
      alertsSchema.safeParse({
        receivers: {
          ops: {
            type: 'webhook',
            url: 'https://h.test/',
            headers: { 'X-Api-Key': { env: 'K' }, 'X-Source': 'portico' },
          },
        },
      }).success,
    ).toBe(true);
  });

  it('names unknown receivers and duplicate rule names', () => {
    expect(issue({ ...base, rules: [{ kind: 'instance-down', notify: ['nobody'] }] })).toMatch(
      /no receiver "nobody"/,
    );
    expect(
      issue({ ...base, rules: [{ kind: 'instance-down' }, { kind: 'instance-down', for: '1m' }] }),
    ).toMatch(/two rules are named "instance-down"/);
    expect(issue({ ...base, rules: [{ kind: 'certificate-expiring' }] })).toBeDefined();
    expect(alertsSchema.parse({ ...base, rules: [{ kind: 'instance-down', for: '30s' }] })).toMatchObject({
      interval: 15_000,
      receivers: { ops: { attempts: 5, timeout: 5000, backoff: 1000, headers: {} } },
      rules: [{ kind: 'instance-down', for: 30_000 }],
    });
  });
});
