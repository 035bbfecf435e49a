import type { ServerResponse } from 'node:http';

/** Bytes a client may fall behind by before it is dropped (it can reconnect and re-read). */
const maxBuffered = 256 * 1024;

/**
 * Server-sent events to many clients. A slow client never makes the agent buffer without bound:
 * once its socket holds more than `maxBuffered` unsent bytes it is disconnected.
 */
export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private nextId = 1;

  get size(): number {
    return this.clients.size;
  }

  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(': portico agent events\n\n');
    this.clients.add(res);
    res.once('close', () => this.clients.delete(res));
  }

  publish(type: string, data: unknown): void {
    const frame = `id: ${this.nextId++}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > maxBuffered) {
        this.clients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
