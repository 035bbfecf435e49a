import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPorticoError } from '../../core/errors.js';

/** An error the API answers with: HTTP status plus the one JSON error shape `{error:{code,message}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** A handler returns a JSON body (status 200), or undefined when it wrote the response itself. */
export type Handler = (ctx: RouteContext) => Promise<unknown> | unknown;

interface Route {
  method: string;
  /** As declared, with `:name` segments. */
  path: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  /** How errors are written on this route (Consul answers in plain text). */
  style: 'json' | 'text';
}

/** The smallest router that does the job: method + path pattern with `:name` segments. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler, style: 'json' | 'text' = 'json'): this {
    const names: string[] = [];
    const source = path
      .split('/')
      .map((part) => {
        if (!part.startsWith(':')) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(part.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ method, path, pattern: new RegExp(`^${source}$`), names, handler, style });
    return this;
  }

  /** Every method and path served, in the order added (the OpenAPI test compares them). */
  list(): Array<{ method: string; path: string }> {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    let style: Route['style'] = url.pathname.startsWith('/v1/') ? 'text' : 'json';
    try {
      let pathMatched = false;
      for (const route of this.routes) {
        const m = route.pattern.exec(url.pathname);
        if (!m) continue;
        pathMatched = true;
        if (route.method !== req.method && !(route.method === 'GET' && req.method === 'HEAD')) continue;
        style = route.style;
        const params: Record<string, string> = {};
        route.names.forEach((n, i) => {
          params[n] = decodeParam(m[i + 1]!);
        });
        const body = await route.handler({ req, res, url, params });
        if (body !== undefined && !res.headersSent) sendJson(res, res.statusCode || 200, body);
        return;
      }
      throw pathMatched
        ? new ApiError(405, 'E_API_METHOD', `${req.method} is not allowed on ${url.pathname}`)
        : new ApiError(404, 'E_API_NOT_FOUND', `no such endpoint: ${url.pathname}`);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const e = toApiError(error);
      if (style === 'text') {
        res.writeHead(e.status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${e.message}\n`);
      } else {
        sendJson(res, e.status, { error: { code: e.code, message: e.message } });
      }
    }
  }
}

/** A path segment as written; a broken %-escape is the client's error (400), not ours. */
function decodeParam(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'E_API_BAD_REQUEST', `malformed %-escape in the path: ${segment}`);
  }
}

/** Coded Portico errors keep their code; their HTTP status is 400 (the request was wrong). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isPorticoError(error)) {
    const status = error.code === 'E_INSTANCE_UNKNOWN' ? 404 : 400;
    return new ApiError(status, error.code, error.message);
  }
  return new ApiError(500, 'E_INTERNAL', (error as Error)?.message ?? String(error));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const maxBody = 1 << 20;

/** The request body as JSON (an empty body is undefined); over 1 MiB or not JSON is a 400. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new ApiError(413, 'E_API_BAD_REQUEST', 'request body over 1 MiB');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'E_API_BAD_REQUEST', 'request body is not valid JSON');
  }
}
