// A backend for the memory checks: /upload reads and discards the body; /stream sends N MB fast.
import http from 'node:http';

const port = Number(process.argv[2]);
const chunk = Buffer.alloc(64 * 1024, 120);
http
  .createServer((req, res) => {
    if (req.url?.startsWith('/stream')) {
      let left = Number(new URL(req.url, 'http://x').searchParams.get('mb') ?? 100) * 16;
      const pump = () => {
        while (left > 0) {
          left--;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
    });
    req.on('end', () => res.end(`${size}`));
  })
  .listen(port, '127.0.0.1');
