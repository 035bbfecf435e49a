import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { PorticoError } from '../../../core/errors.js';
import type { Instance } from '../../../core/model.js';
import { createDockerClient, dockerUnavailable } from '../../../docker/client.js';
import type { Source, SourceOptions } from '../../source.js';
import { containerInstances } from './container-instances.js';

/** Container events that can change what the catalog should hold. */
/** Delay of the second look after a state change (see follow). */
const settleMs = 300;

const relevant = new Set([
  'start',
  'die',
  'stop',
  'kill',
  'destroy',
  'rename',
  'update',
  'pause',
  'unpause',
  'connect',
  'disconnect',
]);

/**
 * Running containers from the Docker API (DOCKER_HOST honoured). `watch` follows the event
 * stream and re-lists on every relevant event; after a lost stream it reconnects with backoff
 * and re-lists everything, so a container that changed while we were away is never left stale.
 */
export class DockerSource implements Source {
  readonly name = 'docker' as const;
  private readonly docker: Docker;
  /** The event stream is idle for long stretches: its client must not time out. */
  private readonly events: Docker;

  constructor(private readonly options: SourceOptions) {
    this.docker = createDockerClient({ env: options.env, timeoutMs: 5000 });
    this.events = createDockerClient({ env: options.env, timeoutMs: 0 });
  }

  async snapshot(): Promise<Instance[]> {
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers();
    } catch (error) {
      throw dockerUnavailable(error, this.options.env);
    }
    return containers.flatMap((c) =>
      containerInstances(c, (m) => this.options.onError?.('docker', new Error(m)), this.options.secrets),
    );
  }

  async watch(publish: (instances: Instance[]) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    let backoff = 250;
    while (!signal.aborted) {
      try {
        const stream = (await this.events.getEvents({
          filters: { type: ['container', 'network'] },
        })) as NodeJS.ReadableStream & {
          destroy(): void;
        };
        // Subscribe first, then list: an event between the two re-lists again, nothing is missed.
        await publish(await this.snapshot());
        backoff = 250;
        await this.follow(stream, publish, signal);
      } catch (error) {
        if (signal.aborted) return;
        this.options.onError?.(
          'docker',
          error instanceof PorticoError ? error : dockerUnavailable(error, this.options.env),
        );
      }
      try {
        await sleep(backoff, undefined, { signal });
      } catch {
        return;
      }
      backoff = Math.min(backoff * 2, 10_000);
    }
  }

  private async follow(
    stream: NodeJS.ReadableStream & { destroy(): void },
    publish: (i: Instance[]) => void | Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    let buffer = '';
    let pending: Promise<void> = Promise.resolve();
    let queued = false;
    const refresh = (): void => {
      // Coalesce bursts (compose up starts many containers): one re-list in flight, one queued.
      if (queued || signal.aborted) return;
      queued = true;
      pending = pending.then(async () => {
        queued = false;
        try {
          await publish(await this.snapshot());
        } catch (error) {
          this.options.onError?.('docker', error);
        }
      });
    };
    await new Promise<void>((resolve, reject) => {
      const stop = (): void => {
        stream.destroy();
        resolve();
      };
      signal.addEventListener('abort', stop, { once: true });
      stream.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf('\n');
          try {
            const event = JSON.parse(line) as { Action?: string };
            const action = (event.Action ?? '').split(':')[0]!;
            if (relevant.has(action) || action === 'health_status') {
              refresh();
              // dockerd emits die/stop before its container list shows the new state: look
              // again once it has settled, or a dead container would stay in the catalog.
              const settle = setTimeout(refresh, settleMs);
              settle.unref();
            }
          } catch {
            // a partial or foreign line: ignore
          }
        }
      });
      stream.once('error', (e) => {
        signal.removeEventListener('abort', stop);
        reject(e);
      });
      stream.once('end', () => {
        signal.removeEventListener('abort', stop);
        reject(new Error('Docker event stream ended'));
      });
    });
    await pending;
  }
}
