import { expect, it } from 'vitest';
import { runContainer, testDocker } from '../helpers/docker.js';
import { describeWith } from '../helpers/requirements.js';

describeWith(['dockerd', { root: true }], 'private test Docker engine', () => {
  it('runs a busybox container from the locally built image', async () => {
    const c = await runContainer({ name: `portico-smoke-${process.pid}`, cmd: ['sleep', '30'] });
    const info = await c.inspect();
    expect(info.State.Running).toBe(true);
    expect((await testDocker().listImages()).some((i) => i.RepoTags?.includes('local/busybox:latest'))).toBe(
      true,
    );
  });
});
