import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, type Router } from './router.js';

/**
 * The dashboard's files ship in the package at `web/dashboard/`. This module sits two folders
 * below the package root both as source (src/agent/http/) and built (dist/agent/http/), so one
 * relative URL finds them from a checkout, from dist/ and from an installed package.
 */
export const dashboardRoot = fileURLToPath(new URL('../../../web/dashboard/', import.meta.url));

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * GET / (index.html) and GET /ui/<file>: the dashboard's static files. Only files with a known
 * type under the root are served; `..`, encoded or not, never leaves it. index.html is never
 * cached (it names the modules); the modules revalidate by ETag, so an upgraded agent serves
 * its new files at once.
 */
export function dashboardRoutes(router: Router, root = dashboardRoot): void {
  const serve = async (
    relative: string,
    req: { headers: Record<string, unknown> },
    res: import('node:http').ServerResponse,
  ) => {
    const type = types[extname(relative)];
    const path = resolve(root, relative);
    if (!type || !path.startsWith(root.endsWith(sep) ? root : root + sep))
      throw new ApiError(404, 'E_API_NOT_FOUND', `no such dashboard file: ${relative}`);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new ApiError(404, 'E_API_NOT_FOUND', `no such dashboard file: ${relative}`);
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      'content-type': type,
      'cache-control': relative === 'index.html' ? 'no-cache' : 'public, max-age=0, must-revalidate',
      etag,
      'x-content-type-options': 'nosniff',
      ...(type.startsWith('text/html')
        ? {
            // Everything the page needs comes from this agent: no CDN, no inline script.
            'content-security-policy':
              "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
          }
        : {}),
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return undefined;
    }
    const body = await readFile(path);
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(body);
    return undefined;
  };
  router.add('GET', '/', ({ req, res }) => serve('index.html', req, res));
  router.add('GET', '/ui/:file', ({ req, res, params }) => serve(params.file!, req, res));
  router.add('GET', '/ui/views/:file', ({ req, res, params }) => serve(`views/${params.file}`, req, res));
}
