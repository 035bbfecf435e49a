// Opens N listening sockets on 127.0.0.1 (kernel-chosen ports), prints them, and waits.
import { createServer } from 'node:net';

const n = Number(process.argv[2] ?? 2000);
const ports = [];
let pending = n;
for (let i = 0; i < n; i++) {
  // Like most servers, wait for the client to close (so TIME_WAIT stays on the client side,
  // where the kernel may reuse it); never crash on a reset.
  const s = createServer((c) => c.on('error', () => {}));
  s.on('error', (e) => {
    console.error(e.message);
    process.exit(1);
  });
  s.listen(0, '127.0.0.1', () => {
    ports.push(s.address().port);
    if (--pending === 0) console.log(JSON.stringify(ports));
  });
}
setTimeout(() => process.exit(0), 30 * 60_000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
