import { createSocket, type Socket } from 'node:dgram';
import { afterAll } from 'vitest';

/**
 * A tiny UDP DNS server on loopback for the DNS fault classes. The first label of the name
 * decides the answer: `nx.*` NXDOMAIN, `fail.*` SERVFAIL, `refused.*` REFUSED, `mute.*` no
 * answer at all (a timeout), anything else an A record 127.0.0.1 (and no AAAA).
 */
const sockets: Socket[] = [];
afterAll(() => {
  for (const s of sockets.splice(0)) s.close();
});

export async function startDnsResponder(host = '127.0.0.1'): Promise<string> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', (query, peer) => {
    const answer = respond(query);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  return `${host}:${socket.address().port}`;
}

function respond(query: Buffer): Buffer | undefined {
  if (query.length < 12) return undefined;
  // The question: labels up to the zero byte, then QTYPE and QCLASS.
  const labels: string[] = [];
  let at = 12;
  while (at < query.length && query[at] !== 0) {
    const len = query[at]!;
    labels.push(query.subarray(at + 1, at + 1 + len).toString('ascii'));
    at += len + 1;
  }
  const questionEnd = at + 5;
  if (questionEnd > query.length) return undefined;
  const qtype = query.readUInt16BE(at + 1);
  const first = labels[0]?.toLowerCase();
  if (first === 'mute') return undefined;
  const rcode = first === 'nx' ? 3 : first === 'fail' ? 2 : first === 'refused' ? 5 : 0;
  const withAnswer = rcode === 0 && qtype === 1;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8180 | rcode, 2); // response, recursion desired + available
  header.writeUInt16BE(1, 4); // one question
  header.writeUInt16BE(withAnswer ? 1 : 0, 6);
  const question = query.subarray(12, questionEnd);
  if (!withAnswer) return Buffer.concat([header, question]);
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]);
  return Buffer.concat([header, question, answer]);
}
