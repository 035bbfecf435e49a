import type { DockerHealthCheck } from '../../core/model.js';
import { critical, type Probe, passing, warning } from '../probe.js';

/** The container's own HEALTHCHECK verdict, read from the engine. */
export const dockerHealthProbe: Probe<DockerHealthCheck> = {
  kind: 'docker-health',
  async run(check, _target, ctx) {
    const { createDockerClient } = await import('../../docker/client.js');
    try {
      const info = await createDockerClient({ env: ctx.env, timeoutMs: ctx.timeoutMs })
        .getContainer(check.container)
        .inspect();
      if (!info.State.Running)
        return critical(`container ${check.container} is ${info.State.Status}`, 'container_stopped');
      const health = info.State.Health;
      if (!health) return passing('running (no HEALTHCHECK defined)');
      const last = health.Log?.[health.Log.length - 1]?.Output?.trim() ?? '';
      if (health.Status === 'healthy') return passing(`healthy${last ? `: ${last}` : ''}`);
      if (health.Status === 'starting')
        return warning(`starting${last ? `: ${last}` : ''}`, 'docker_starting');
      return critical(
        `unhealthy after ${health.FailingStreak} failures${last ? `: ${last}` : ''}`,
        'docker_unhealthy',
      );
    } catch (error) {
      return critical(
        `cannot inspect container ${check.container}: ${(error as Error).message}`,
        'docker_unavailable',
      );
    }
  },
};
