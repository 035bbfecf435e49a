import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readAccepted, readAsStream } from '../../../src/balancer/h1/accepted-onread.js';
import { readBuffer } from '../../../src/balancer/h1/read-buffer.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * `onread` on accepted sockets reaches into three slots of Node's net.Socket. These tests fail if
 * this Node no longer has them (the fast path would silently fall back to 'data' events: correct,
 * and ~8% more CPU per request), and check what the fast path relies on: reads in the shared
 * buffer, pausing, the end of the stream, and the return to a stream for Node's server.
 */

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A server on 127.0.0.1 and a client connected to it: the accepted socket and the client. */
async function pair(): Promise<{ accepted: Socket; client: Socket }> {
  let server: Server | undefined;
  const accepted = new Promise<Socket>((resolve) => {
    server = createServer(resolve);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const client = connect((server!.address() as { port: number }).port, '127.0.0.1');
  client.on('error', () => {});
  const socket = await accepted;
  socket.on('error', () => {});
  cleanup.push(() => {
    client.destroy();
    socket.destroy();
    server!.close();
  });
  return { accepted: socket, client };
}

const write = (s: Socket, text: string): Promise<void> =>
  new Promise((r, j) => s.write(text, (e) => (e ? j(e) : r())));

describe('onread for accepted sockets', () => {
  it('this Node lets an accepted socket read into the shared buffer', async () => {
    const { accepted, client } = await pair();
    const reads: string[] = [];
    const onRead = (n: number): boolean => {
      reads.push(readBuffer.toString('latin1', 0, n));
      return true;
    };
    expect(readAccepted(accepted, onRead)).toBe(true);
    await write(client, 'hello');
    await waitFor(() => reads.join('') === 'hello', { what: 'the read', timeoutMs: 2000 });
    expect(accepted.listenerCount('data')).toBe(0);
  });

  it('returning false stops reading until resume(); the end still arrives as "end"', async () => {
    const { accepted, client } = await pair();
    const reads: string[] = [];
    let ended = false;
    accepted.on('end', () => {
      ended = true;
    });
    readAccepted(accepted, (n) => {
      reads.push(readBuffer.toString('latin1', 0, n));
      return false;
    });
    await write(client, 'one');
    await waitFor(() => reads.length === 1, { what: 'the first read', timeoutMs: 2000 });
    await write(client, 'two');
    await new Promise((r) => setTimeout(r, 50));
    expect(reads).toEqual(['one']);
    accepted.resume();
    await waitFor(() => reads.join('') === 'onetwo', { what: 'the read after resume', timeoutMs: 2000 });
    client.end();
    accepted.resume();
    await waitFor(() => ended, { what: "'end'", timeoutMs: 2000 });
  });

  it('a socket already given its own onread is left alone', async () => {
    const { accepted } = await pair();
    expect(readAccepted(accepted, () => true)).toBe(true);
    expect(readAccepted(accepted, () => true)).toBe(false);
  });

  it('readAsStream: "data" listeners get their own copies of each read', async () => {
    const { accepted, client } = await pair();
    readAccepted(accepted, () => true);
    readAsStream(accepted);
    const chunks: Buffer[] = [];
    accepted.on('data', (c: Buffer) => chunks.push(c));
    await write(client, 'first');
    await waitFor(() => chunks.length === 1, { what: 'the first chunk', timeoutMs: 2000 });
    await write(client, 'SECOND');
    await waitFor(() => chunks.length === 2, { what: 'the second chunk', timeoutMs: 2000 });
    expect(chunks.map((c) => c.toString('latin1'))).toEqual(['first', 'SECOND']);
  });
});
