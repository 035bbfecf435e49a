import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field by the assertions
  body: any;
}

/** How the receiver answers one request: a status, or never (the sender's timeout must end it). */
export type Answer = number | 'hang';

/**
 * A real webhook receiver on 127.0.0.1: records every POST, answers from a script of statuses
 * (then 200), so tests see retries, give-ups and timeouts as a real endpoint causes them.
 */
export class AlertReceiver {
  readonly requests: ReceivedRequest[] = [];
  private script: Answer[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  static async start(): Promise<AlertReceiver> {
    const r = new AlertReceiver();
    r.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        r.requests.push({ path: req.url ?? '/', headers: req.headers, body });
        const answer = r.script.shift() ?? 200;
        if (answer === 'hang') {
          r.hanging.add(res);
          return;
        }
        res.statusCode = answer;
        res.end(answer < 300 ? 'ok' : 'no');
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  /** The next answers, in order; 200 after them. */
  answer(...answers: Answer[]): void {
    this.script.push(...answers);
  }

  /** Forget what was received and what was scripted. */
  reset(): void {
    this.requests.length = 0;
    this.script = [];
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((q) => q.path === path);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
