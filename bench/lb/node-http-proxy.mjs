// The node-http-proxy peer: http-proxy with a keep-alive agent, round-robin over the backends.
import http from 'node:http';
import httpProxy from 'http-proxy';

const [port, ...backends] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ agent });
proxy.on('error', (_e, _req, res) => {
  if (!res.headersSent) res.writeHead(502);
  res.end();
});
let i = 0;
http
  .createServer((req, res) =>
    proxy.web(req, res, { target: `http://127.0.0.1:${backends[i++ % backends.length]}` }),
  )
  .listen(port, '127.0.0.1');
