import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/agent.js';
import { issueCertificate } from '../../src/tls/certificates.js';
import { freePort } from '../helpers/net.js';
import { type HeldPort, holdPort } from '../helpers/port-holder.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { api } from './agent-process.js';
import { AlertReceiver } from './alert-receiver.js';

const day = 86_400_000;
const hookToken = 'hook-token-value-0123456789abcdef';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('portico agent alerts (portico.yaml alerts:, a real receiver on 127.0.0.1)', () => {
  let receiver: AlertReceiver;
  let agent: Agent;
  let web: Server;
  let tls: Server;
  let healthy = true;
  let conflictPort: number;
  const logs: string[] = [];

  beforeAll(async () => {
    receiver = await AlertReceiver.start();
    web = createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end(healthy ? 'ok' : 'down');
    });
    const webPort = await listen(web);
    const cert = await issueCertificate({
      names: ['localhost'],
      notBefore: new Date(Date.now() - day),
      notAfter: new Date(Date.now() + 5 * day + day / 2),
    });
    tls = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_q, s) => s.end('x'));
    const tlsPort = await listen(tls);
    conflictPort = await freePort();
    const dir = tempDir('portico-alerts-project-');
    // The compose file claims a port the test will hold itself: a port conflict appears.
    writeFileSync(
      join(dir, 'compose.yaml'),
      `services:\n  cache:\n    image: redis:7\n    ports: ["127.0.0.1:${conflictPort}:6379"]\n`,
    );
    writeFileSync(
      join(dir, 'portico.yaml'),
      `services:
  web:
    protocol: http
    endpoints: [{ address: 127.0.0.1, port: ${webPort} }]
    checks: [{ kind: http, path: /health, interval: 500ms, rise: 1, fall: 1 }]
  secure:
    endpoints: [{ address: 127.0.0.1, port: ${tlsPort} }]
    checks: [{ kind: tls, serverName: localhost, tlsVerify: false, expiryWarningDays: 1, interval: 1s }]
alerts:
  interval: 250ms
  receivers:
    hook:
      type: webhook
      url: ${receiver.url}/hook
      token: { env: HOOK_TOKEN }
      backoff: 50ms
      attempts: 3
    chat:
      type: slack
      url: { env: CHAT_URL }
      backoff: 50ms
  rules:
    - { kind: instance-down, for: 1s, service: web }
    - { kind: certificate-expiring, within: 14, notify: [hook] }
    - { kind: port-conflict, notify: [hook] }
`,
    );
    const env = {
      ...process.env,
      PORTICO_HOME: tempDir('portico-alerts-home-'),
      HOOK_TOKEN: hookToken,
      CHAT_URL: `${receiver.url}/slack`,
    };
    agent = await Agent.start({
      listen: { host: '127.0.0.1', port: 0 },
      access: { exposed: false },
      selector: { cwd: dir, env },
      sources: ['manifest'],
      discover: true,
      env,
      warn: (m) => logs.push(m),
    });
  });

  afterAll(async () => {
    await agent?.stop();
    web?.close();
    tls?.close();
    await receiver?.close();
  });

  const url = () => `http://${agent.address}`;
  const messages = (path: string, kind: string, status?: string) =>
    receiver.on(path).filter((q) => {
      const body = q.body;
      if (path === '/slack')
        return JSON.stringify(body).includes(kind) && (!status || body.text.includes(status));
      return body.kind === kind && (!status || body.status === status);
    });

  it('a certificate expiring within the rule’s days fires once, to the receivers the rule names', async () => {
    const msg = await waitFor(() => messages('/hook', 'certificate-expiring')[0], {
      timeoutMs: 15_000,
      what: 'the certificate alert',
    });
    expect(msg.headers.authorization).toBe(`Bearer ${hookToken}`);
    expect(msg.body).toMatchObject({
      version: 1,
      status: 'firing',
      rule: 'certificate-expiring',
      severity: 'warning',
      details: { service: 'secure', daysLeft: 5, subject: expect.stringContaining('localhost') },
    });
    expect(msg.body.key).toMatch(/^certificate-expiring:/);
    expect(Date.parse(msg.body.startsAt)).toBeGreaterThan(0);
    // The rule notifies [hook] only: nothing about the certificate reaches the Slack receiver.
    expect(messages('/slack', 'certificate')).toEqual([]);
  });

  /** Until web passes and nothing about it fires or is still being delivered (a flap on a busy machine settles first). */
  async function webSettledHealthy(): Promise<void> {
    await waitFor(
      async () =>
        (await api(`${url()}/api/v1/services/web`)).body.status === 'passing' &&
        !(await api(`${url()}/api/v1/alerts`)).body.firing.some(
          (f: { kind: string }) => f.kind === 'instance-down',
        ) &&
        messages('/hook', 'instance-down', 'firing').length ===
          messages('/hook', 'instance-down', 'resolved').length &&
        receiver.on('/slack').length % 2 === 0,
      { timeoutMs: 20_000, what: 'web to pass with nothing firing' },
    );
  }

  it('instance down: fires once after `for`, stays deduped while down, resolves when it is back', async () => {
    await webSettledHealthy();
    const hookBefore = messages('/hook', 'instance-down').length;
    const slackBefore = receiver.on('/slack').length;
    healthy = false;
    const firing = await waitFor(() => messages('/hook', 'instance-down', 'firing')[hookBefore / 2], {
      timeoutMs: 15_000,
      what: 'the instance-down alert',
    });
    expect(firing.body).toMatchObject({
      status: 'firing',
      kind: 'instance-down',
      severity: 'error',
      details: { service: 'web', checks: [expect.objectContaining({ check: 'http' })] },
    });
    expect(firing.body.summary).toMatch(/^web \(.+\) is down since /);
    // Slack-compatible shape: text (the whole message) plus Block Kit blocks, nothing else.
    const slack = await waitFor(() => receiver.on('/slack')[slackBefore], { what: 'the Slack message' });
    expect(Object.keys(slack.body).sort()).toEqual(['blocks', 'text']);
    expect(slack.body.text).toMatch(/^\[FIRING error\] .+: web \(/);
    expect(slack.body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(slack.body.blocks[1]).toMatchObject({ type: 'context' });
    expect(slack.headers.authorization).toBeUndefined();
    // Dedupe: several more evaluations while web stays down (503 every time) send nothing more.
    const seen = (await api(`${url()}/api/v1/alerts`)).body.evaluations as number;
    await waitFor(async () => (await api(`${url()}/api/v1/alerts`)).body.evaluations >= seen + 4, {
      timeoutMs: 15_000,
      what: 'four more evaluations',
    });
    expect(messages('/hook', 'instance-down')).toHaveLength(hookBefore + 1);
    expect(receiver.on('/slack')).toHaveLength(slackBefore + 1);
    expect(messages('/hook', 'certificate-expiring')).toHaveLength(1);
    const view = (await api(`${url()}/api/v1/alerts`)).body;
    expect(view.firing).toContainEqual(
      expect.objectContaining({ key: firing.body.key, delivered: ['chat', 'hook'] }),
    );
    expect(JSON.stringify(view)).not.toContain(receiver.url);
    // Back up: one resolve per receiver, with the same key and start.
    healthy = true;
    const resolved = await waitFor(() => messages('/hook', 'instance-down', 'resolved')[hookBefore / 2], {
      timeoutMs: 15_000,
      what: 'the resolve',
    });
    expect(resolved.body).toMatchObject({ key: firing.body.key, startsAt: firing.body.startsAt });
    expect(Date.parse(resolved.body.endsAt)).toBeGreaterThanOrEqual(Date.parse(firing.body.startsAt));
    const slackResolved = await waitFor(() => receiver.on('/slack')[slackBefore + 1], {
      what: 'the Slack resolve',
    });
    expect(slackResolved.body.text).toMatch(/^\[RESOLVED\] /);
    expect(
      (await api(`${url()}/api/v1/alerts`)).body.firing.map((f: { key: string }) => f.key),
    ).not.toContain(firing.body.key);
  });

  it('a reload (SIGHUP) keeps what fires: no second message for the same alert', async () => {
    await webSettledHealthy();
    const before = messages('/hook', 'instance-down', 'firing').length;
    healthy = false;
    await waitFor(() => messages('/hook', 'instance-down', 'firing').length === before + 1, {
      timeoutMs: 15_000,
      what: 'web down again',
    });
    await agent.reload();
    const seen = (await api(`${url()}/api/v1/alerts`)).body.evaluations as number;
    await waitFor(async () => (await api(`${url()}/api/v1/alerts`)).body.evaluations >= seen + 4, {
      timeoutMs: 15_000,
      what: 'evaluations after the reload',
    });
    expect(messages('/hook', 'instance-down', 'firing')).toHaveLength(before + 1);
    expect(messages('/hook', 'certificate-expiring')).toHaveLength(1);
    healthy = true;
    await waitFor(() => messages('/hook', 'instance-down', 'resolved').length >= before + 1, {
      timeoutMs: 15_000,
      what: 'web back after the reload',
    });
  });

  it('a port conflict that appears fires, and resolves when the port is free again', async () => {
    let held: HeldPort | undefined = await holdPort('127.0.0.1', conflictPort);
    try {
      const msg = await waitFor(() => messages('/hook', 'port-conflict', 'firing')[0], {
        timeoutMs: 15_000,
        what: 'the port-conflict alert',
      });
      expect(msg.body.details).toMatchObject({
        port: conflictPort,
        conflict: 'in-use-by-process',
        services: ['cache'],
      });
      await held.stop();
      held = undefined;
      await waitFor(() => messages('/hook', 'port-conflict', 'resolved').length === 1, {
        timeoutMs: 15_000,
        what: 'the port-conflict resolve',
      });
    } finally {
      await held?.stop();
    }
  });

  it('logs never carry the token or the Slack URL', () => {
    for (const line of logs) {
      expect(line).not.toContain(hookToken);
      expect(line).not.toContain('/slack');
    }
  });
});

describe('portico agent alerts: secrets come from the environment', () => {
  it('a secret written inline in portico.yaml is E_MANIFEST_INVALID at its line', async () => {
    const dir = tempDir('portico-alerts-project-');
    writeFileSync(
      join(dir, 'portico.yaml'),
      'alerts:\n  receivers:\n    ops:\n      type: webhook\n      url: http://127.0.0.1:9/hook\n      headers:\n        Authorization: Bearer abc\n',
    );
    const started = Agent.start({
      listen: { host: '127.0.0.1', port: 0 },
      access: { exposed: false },
      selector: { cwd: dir, env: {} },
      discover: false,
      env: { PORTICO_HOME: tempDir('portico-alerts-home-') },
      warn: () => {},
    });
    const error = await started.then(
      () => undefined,
      (e: { code: string; message: string }) => e,
    );
    expect(error?.code).toBe('E_MANIFEST_INVALID');
    expect(error?.message).toMatch(/portico\.yaml:7:\d+/);
    expect(error?.message).toMatch(/carries a secret/);
    expect(error?.message).not.toContain('abc');
  });

  it('a receiver naming an unset variable stops the agent before it starts (E_ALERT_RECEIVER)', async () => {
    const dir = tempDir('portico-alerts-project-');
    writeFileSync(
      join(dir, 'portico.yaml'),
      'alerts:\n  receivers:\n    chat: { type: slack, url: { env: PORTICO_TEST_UNSET_URL } }\n  rules: [{ kind: instance-down }]\n',
    );
    const started = Agent.start({
      listen: { host: '127.0.0.1', port: 0 },
      access: { exposed: false },
      selector: { cwd: dir, env: {} },
      discover: false,
      env: { PORTICO_HOME: tempDir('portico-alerts-home-') },
      warn: () => {},
    });
    await expect(started).rejects.toMatchObject({
      code: 'E_ALERT_RECEIVER',
      message: expect.stringContaining('PORTICO_TEST_UNSET_URL is not set'),
    });
  });
});
