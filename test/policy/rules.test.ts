import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';
import { brief, fixtures, type PolicyDoc, projectFrom } from './project.js';

const env = () => ({ PORTICO_HOME: tempDir() });

describe('portico policy rules', () => {
  it('finds each baseline violation in the bad project, located at the compose entry', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'bad'), env: env() });
    expect(r.code).toBe(1);
    const doc = r.json<PolicyDoc>();
    expect(doc.policy).toBe('baseline');
    expect(brief(doc)).toEqual([
      'datastore-exposed db 19:9',
      'admin-port-exposed api 14:9',
      'healthcheck-missing api 10:3',
      'network-mode-host agent 33:5',
      'privileged-port web 6:9',
      'public-network-shared-with-datastore db 21:5',
      'public-network-shared-with-datastore cache 28:5',
      'duplicate-host-port cache 27:9',
    ]);
    expect(doc.findings.every((f) => f.location?.file === join(fixtures, 'bad', 'compose.yaml'))).toBe(true);
    expect(doc.summary).toEqual({ error: 4, warning: 4, note: 0, suppressed: 0, failing: 4 });
    expect(doc.rules).not.toContain('live-listener-exposed');
  });

  it('passes the good project (same services, loopback binds, healthchecks, internal data network)', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'good'), env: env() });
    const doc = r.json<PolicyDoc>();
    expect(doc.findings).toEqual([]);
    expect(doc.policy).toBe('declared');
    expect(r.code).toBe(0);
  });

  it('checks host ports against the tier ranges portico.yaml declares', async () => {
    const r = await runPortico(['policy', '--json'], { cwd: join(fixtures, 'tiers'), env: env() });
    expect(r.code).toBe(1);
    const doc = r.json<PolicyDoc>();
    expect(brief(doc)).toEqual(['port-outside-tier api 10:9', 'port-outside-tier db 14:9']);
    expect(doc.findings[1]!.message).toContain('tier data, ports 5400-5499');
  });

  it('passes tiers once every port is inside its range', async () => {
    const dir = projectFrom('tiers');
    const r1 = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    expect(r1.code).toBe(1);
    const compose = join(dir, 'compose.yaml');
    writeFileSync(
      compose,
      readFileSync(compose, 'utf8').replace('3001:9000', '8001:9000').replace('5555:5432', '5432:5432'),
    );
    const r2 = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    expect(r2.json<PolicyDoc>().findings).toEqual([]);
    expect(r2.code).toBe(0);
  });

  it('honours allowExposed, requireHealthcheck and per-rule severities', async () => {
    const dir = projectFrom(
      'bad',
      [
        'policy:',
        '  allowExposed: [{ service: db, port: 5432 }, { service: api }]',
        '  requireHealthcheck: [web]',
        '  rules:',
        '    privileged-port: off',
        '    network-mode-host: note',
        '    public-network-shared-with-datastore: error',
        '',
      ].join('\n'),
    );
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    const doc = r.json<PolicyDoc>();
    expect(doc.findings.map((f) => `${f.rule} ${f.service} ${f.severity}`)).toEqual([
      'network-mode-host agent note',
      'public-network-shared-with-datastore db error',
      'public-network-shared-with-datastore cache error',
      'duplicate-host-port cache error',
    ]);
    expect(doc.rules).not.toContain('privileged-port');
    expect(r.code).toBe(1);
  });

  it('reports a published port that ignores its reservation or takes another name’s', async () => {
    // Free ports, so `ports reserve --port` (which checks the port is bindable) succeeds here.
    const [webPort, dbPort, reservedDb] = [await freePort(), await freePort(), await freePort()];
    const dir = tempDir('portico-policy-');
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        'services:',
        '  web:',
        '    image: nginx:1.27',
        `    ports: ["127.0.0.1:${webPort}:80"]`,
        '    healthcheck: { test: ["CMD", "true"] }',
        '  db:',
        '    image: postgres:16',
        '    ports:',
        `      - "127.0.0.1:${dbPort}:5432"`,
        '    healthcheck: { test: ["CMD", "pg_isready"] }',
        '',
      ].join('\n'),
    );
    const home = { PORTICO_HOME: tempDir() };
    const reserve = async (name: string, port: number) => {
      const r = await runPortico(['ports', 'reserve', name, '--port', String(port)], { cwd: dir, env: home });
      expect(r.code, r.stderr).toBe(0);
    };
    // db's own reservation says another port; a name from elsewhere holds web's port.
    await reserve('db:5432', reservedDb);
    await reserve('someone-else', webPort);
    const r = await runPortico(['policy', '--json', '--fail-on', 'warning'], { cwd: dir, env: home });
    const doc = r.json<PolicyDoc>();
    expect(brief(doc)).toEqual(['reservation-not-honoured web 4:13', 'reservation-not-honoured db 9:9']);
    expect(doc.findings[0]!.message).toContain('reserved for "someone-else"');
    expect(doc.findings[1]!.message).toContain(`port ${reservedDb} is reserved for it`);
    expect(r.code).toBe(1);

    // Honoured: db's reservation is the port compose publishes, and nobody else holds web's.
    for (const name of ['someone-else', 'db:5432']) {
      expect((await runPortico(['ports', 'release', name], { cwd: dir, env: home })).code).toBe(0);
    }
    await reserve('db:5432', dbPort);
    const ok = await runPortico(['policy', '--json', '--fail-on', 'warning'], { cwd: dir, env: home });
    expect(ok.json<PolicyDoc>().findings).toEqual([]);
    expect(ok.code).toBe(0);
  });

  it('--live adds the listener rule; a loopback listener is never reported', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const r = await runPortico(['policy', '--json', '--live'], { cwd: join(fixtures, 'good'), env: env() });
      const doc = r.json<PolicyDoc>();
      expect(doc.rules).toContain('live-listener-exposed');
      expect(doc.findings.filter((f) => f.port === port)).toEqual([]);
      // Whatever else this host runs, a live finding is never about a loopback address.
      for (const f of doc.findings.filter((f) => f.rule === 'live-listener-exposed')) {
        expect(f.message).not.toMatch(/listening on (127\.|\[::1\])/);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('portico policy locations', () => {
  it('a service brought in by include: is located in its own file', async () => {
    const dir = join(fixtures, 'include');
    const r = await runPortico(['policy', '--json'], { cwd: dir, env: env() });
    const doc = r.json<PolicyDoc>();
    expect(brief(doc)).toEqual(['healthcheck-missing db 2:3']);
    expect(doc.findings[0]!.location?.file).toBe(join(dir, 'data', 'compose.yaml'));
    expect(r.code).toBe(0); // a warning only
  });
});

describe('portico policy -f and --manifest', () => {
  it('checks the named compose file against the named policy', async () => {
    const r = await runPortico(
      ['policy', '--json', '-f', 'bad/compose.yaml', '--manifest', 'tiers/portico.yaml'],
      { cwd: fixtures, env: env() },
    );
    const doc = r.json<PolicyDoc>();
    expect(doc.policy).toBe('declared');
    expect(brief(doc).filter((f) => f.startsWith('port-outside-tier'))).toEqual([
      'port-outside-tier web 6:9',
      'port-outside-tier api 14:9',
    ]);
    expect(brief(doc).filter((f) => f.startsWith('healthcheck-missing'))).toEqual([]); // requireHealthcheck: false
    expect(r.code).toBe(1);
  });
});
