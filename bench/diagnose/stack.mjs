// A 10-service stack on loopback with 3 planted faults, for the troubleshoot benchmark.
// Prints a portico.yaml on stdout once every server listens; runs until stdin closes.
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { issueCertificate } from '../../dist/tls/certificates.js';

const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
const services = [];
for (let i = 1; i <= 7; i++) {
  const port = await listen(createServer((_q, res) => res.end(`service-${i}`)));
  services.push({ name: `svc-${i}`, protocol: 'http', port });
}
// Fault 1: a service that is down (its port is free).
const probe = createServer();
const down = await listen(probe);
await new Promise((r) => probe.close(r));
services.push({ name: 'orders', protocol: 'http', port: down });
// Fault 2: a service that answers after 1.5 s.
services.push({
  name: 'search',
  protocol: 'http',
  port: await listen(createServer((_q, res) => setTimeout(() => res.end('late'), 1500))),
});
// Fault 3: HTTPS with an expired certificate.
const day = 86_400_000;
const cert = await issueCertificate({
  names: ['127.0.0.1', 'localhost'],
  notBefore: new Date(Date.now() - 30 * day),
  notAfter: new Date(Date.now() - day),
});
services.push({
  name: 'payments',
  protocol: 'https',
  port: await listen(createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_q, res) => res.end('ok'))),
});

const yaml = ['services:'];
for (const s of services)
  yaml.push(
    `  ${s.name}:`,
    `    protocol: ${s.protocol}`,
    '    endpoints:',
    `      - { address: 127.0.0.1, port: ${s.port} }`,
  );
console.log(JSON.stringify({ yaml: `${yaml.join('\n')}\n`, downPort: down }));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
