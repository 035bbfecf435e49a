import { expect, it } from 'vitest';
import { parseCheckSpec } from '../../src/checks/define.js';
import { runCheck } from '../../src/checks/run-check.js';
import { runContainer } from '../helpers/docker.js';
import { freePort } from '../helpers/net.js';
import { describeWith } from '../helpers/requirements.js';

const target = (port: number) => ({ address: '127.0.0.1', port, instanceId: 'c' });

describeWith(['dockerd', { root: true }], 'tcp check on a Docker-published port', () => {
  it('is critical when the app inside does not listen (docker-proxy accepts, then drops)', async () => {
    const port = await freePort();
    await runContainer({
      name: `ptc-tcp-none-${process.pid}`,
      cmd: ['sleep', '600'],
      publish: { '80': port },
    });
    const r = await runCheck(parseCheckSpec('tcp'), target(port));
    expect(r.status).toBe('critical');
    expect(r.reason).toMatch(/^(closed|reset)$/);
  });

  it('passes when the app inside listens', async () => {
    const port = await freePort();
    await runContainer({
      name: `ptc-tcp-httpd-${process.pid}`,
      cmd: ['httpd', '-f', '-p', '80', '-h', '/'],
      publish: { '80': port },
    });
    // httpd starts a moment after the container: wait until the check can pass, bounded.
    let r = await runCheck(parseCheckSpec('tcp'), target(port));
    for (let i = 0; i < 50 && r.status !== 'passing'; i++) {
      await new Promise((done) => setTimeout(done, 100));
      r = await runCheck(parseCheckSpec('tcp'), target(port));
    }
    expect(r).toMatchObject({ status: 'passing' });
  });
});
