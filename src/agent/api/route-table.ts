import type { z } from 'zod';
import { mayWrite } from '../access.js';
import type { AgentContext } from '../context.js';
import { ApiError, type RouteContext, type Router, readJson } from '../http/router.js';
import { badRequest } from './checks-input.js';

/** What a handler gets: the request, plus the body and query as the route's schemas parsed them. */
export interface ValidatedContext<B, Q> extends RouteContext {
  body: B;
  query: Q;
}

/**
 * One endpoint of Portico's native API, declared once: the router validates requests with
 * `body` / `query` and the OpenAPI document (`openapi.ts`) is generated from the same schemas,
 * so the two cannot drift apart.
 */
export interface NativeRoute<B = unknown, Q = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** With `:name` segments, as the router takes them. */
  path: string;
  /** OpenAPI operationId. */
  id: string;
  summary: string;
  /** Needs the token when the agent has one (`mayWrite`). */
  write?: boolean;
  /** The JSON request body; `bodyName` is its name under components.schemas. */
  body?: { schema: z.ZodType<B>; name: string; required: boolean };
  /** Query parameters: an object schema whose keys are the parameter names. */
  query?: z.ZodType<Q>;
  /** The success status and what its body is. */
  response: { status: number; description: string; contentType?: string };
  handler: (agent: AgentContext, ctx: ValidatedContext<B, Q>) => Promise<unknown> | unknown;
}

/** Declare a route with its body and query types inferred from the schemas. */
export function route<B = undefined, Q = Record<string, never>>(r: NativeRoute<B, Q>): NativeRoute {
  return r as unknown as NativeRoute;
}

/** Put the table on the router: token, then query, then body, then the handler. */
export function mountRoutes(router: Router, routes: NativeRoute[], agent: AgentContext): void {
  for (const r of routes) {
    router.add(r.method, r.path, async (ctx) => {
      if (r.write && !mayWrite(agent.access, ctx.req.headers))
        throw new ApiError(
          401,
          'E_API_UNAUTHORIZED',
          'this agent needs a token for writes (Authorization: Bearer)',
        );
      let query: unknown = {};
      if (r.query) {
        const parsed = r.query.safeParse(Object.fromEntries(ctx.url.searchParams));
        if (!parsed.success) throw badRequest('query', parsed.error);
        query = parsed.data;
      }
      let body: unknown;
      if (r.body) {
        const raw = await readJson(ctx.req);
        if (raw === undefined && !r.body.required) body = undefined;
        else {
          const parsed = r.body.schema.safeParse(raw);
          if (!parsed.success) throw badRequest('body', parsed.error);
          body = parsed.data;
        }
      }
      const result = await r.handler(agent, { ...ctx, body, query });
      if (result !== undefined && ctx.res.statusCode === 200 && r.response.status !== 200)
        ctx.res.statusCode = r.response.status;
      return result;
    });
  }
}
