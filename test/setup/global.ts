import { startTestEngine } from '../helpers/docker-engine.mjs';

type TestEngine = Awaited<ReturnType<typeof startTestEngine>>;

import { hasBinary, isCI, isRoot } from '../helpers/requirements.js';

/**
 * Once per test run: start the private Docker engine when this machine can run one. Locally
 * without dockerd (or root) Docker tests skip; under CI they fail (see describeWith).
 */
let engine: TestEngine | undefined;

export async function setup(): Promise<void> {
  if (process.env.PORTICO_TEST_DOCKER_HOST) return;
  if (process.env.PORTICO_TEST_NO_DOCKER === '1' && !isCI) return;
  if (!hasBinary('dockerd') || !isRoot) {
    if (isCI) throw new Error('CI needs dockerd and root for Docker tests');
    return;
  }
  engine = await startTestEngine();
  process.env.PORTICO_TEST_DOCKER_HOST = `unix://${engine.socket}`;
}

export async function teardown(): Promise<void> {
  await engine?.stop();
}
