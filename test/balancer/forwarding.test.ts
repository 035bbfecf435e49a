import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';
import { get, startBalancer } from './harness.js';

const noHealth = { healthCheck: false as const };

/** A raw request, so the test can send several header lines of one name and exact spellings. */
async function rawRequest(port: number, head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.on('data', (c: Buffer) => {
    reply += c.toString();
  });
  socket.on('error', () => {});
  socket.write(`${head}Connection: close\r\n\r\n`);
  await waitFor(() => socket.destroyed || reply.includes('\r\n\r\n'), { what: 'a reply' });
  socket.destroy();
  return reply;
}

describe('forwarding headers (Forwarded, X-Real-IP, X-Forwarded-*)', () => {
  it('drops the ones an untrusted client sends and sets them from the socket', async () => {
    const up = await startUpstream('untrusted');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
    });
    const reply = await rawRequest(
      Number(new URL(url).port),
      'GET /echo-headers HTTP/1.1\r\nHost: shop.localhost\r\n' +
        'Forwarded: for=6.6.6.6;proto=https\r\nforwarded: for=7.7.7.7\r\nX-Real-IP: 6.6.6.6\r\n' +
        'X-Forwarded-For: 6.6.6.6\r\n',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    const h = up.lastHeaders!;
    expect(h.forwarded).toBe('for=127.0.0.1;proto=http;host=shop.localhost');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(JSON.stringify(h)).not.toMatch(/6\.6\.6\.6|7\.7\.7\.7/);
  });

  it('extends Forwarded and keeps X-Real-IP from a trusted proxy', async () => {
    const up = await startUpstream('trusted');
    const { url } = await startBalancer({
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
      trustedProxies: ['127.0.0.0/8'],
    });
    await get(`${url}/echo-headers`, {
      forwarded: 'for=203.0.113.7;proto=https',
      'x-real-ip': '203.0.113.7',
      host: 'shop.localhost',
    });
    const h = up.lastHeaders!;
    expect(h.forwarded).toBe('for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=shop.localhost');
    expect(h['x-real-ip']).toBe('203.0.113.7');
  });

  it('sets X-Real-IP from the socket when a trusted proxy sends none, and brackets IPv6 in Forwarded', async () => {
    const up = await startUpstream('v6');
    const { balancer } = await startBalancer({
      listen: '[::1]:0',
      routes: [{ name: 'r', upstreams: [`127.0.0.1:${up.port}`], ...noHealth }],
      trustedProxies: ['::1'],
    });
    const port = balancer.addresses.http!.port;
    await get(`http://[::1]:${port}/echo-headers`, { host: 'x.localhost' });
    expect(up.lastHeaders!.forwarded).toBe('for="[::1]";proto=http;host=x.localhost');
    expect(up.lastHeaders!['x-real-ip']).toBe('::1');
  });
});
