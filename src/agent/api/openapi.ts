import { z } from 'zod';
import type { NativeRoute } from './route-table.js';

type Json = Record<string, unknown>;

/** The request side of a zod schema, as JSON Schema 2020-12 (OpenAPI 3.1's dialect). */
export function requestJsonSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as Json;
  return rest;
}

/** `/api/v1/instances/:id` → `/api/v1/instances/{id}`, and the names of its parameters. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path
    .split('/')
    .map((part) => {
      if (!part.startsWith(':')) return part;
      params.push(part.slice(1));
      return `{${part.slice(1)}}`;
    })
    .join('/');
  return { path: converted, params };
}

const errorSchema = {
  type: 'object',
  description: 'Every error of the native API: a Portico error code (docs/errors.md) and a message.',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

const errorResponse = (description: string): Json => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * An OpenAPI 3.1 document for the native API, built from the route table the router mounts:
 * every route, its path parameters, its query parameters and its request body (a
 * components.schemas entry converted from the zod schema the route validates with).
 */
export function openApiDocument(routes: NativeRoute[]): Json {
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = { Error: errorSchema };
  for (const r of routes) {
    const { path, params } = openApiPath(r.path);
    const parameters: Json[] = params.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const query = requestJsonSchema(r.query) as { properties?: Record<string, Json>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        const { description, ...rest } = schema as Json & { description?: string };
        parameters.push({
          name,
          in: 'query',
          required: query.required?.includes(name) ?? false,
          ...(description ? { description } : {}),
          schema: rest,
        });
      }
    }
    const responses: Record<string, Json> = {
      [String(r.response.status)]: {
        description: r.response.description,
        content: { [r.response.contentType ?? 'application/json']: { schema: {} } },
      },
      '500': errorResponse('An unexpected failure (E_INTERNAL).'),
    };
    if (r.body || r.query)
      responses['400'] = errorResponse('The body or a parameter is not valid (E_API_BAD_REQUEST).');
    if (params.length > 0)
      responses['404'] = errorResponse('No such object (E_API_NOT_FOUND, E_INSTANCE_UNKNOWN).');
    if (r.write)
      responses['401'] = errorResponse('The agent needs its token for writes (E_API_UNAUTHORIZED).');
    const operation: Json = {
      operationId: r.id,
      summary: r.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      responses,
      ...(r.write ? { security: [{ bearer: [] }] } : {}),
    };
    if (r.body) {
      schemas[r.body.name] = requestJsonSchema(r.body.schema);
      operation.requestBody = {
        required: r.body.required,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.body.name}` } } },
      };
    }
    paths[path] = { ...paths[path], [r.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Portico agent API',
      version: '1',
      description:
        'The native API of `portico agent` (the Consul subset under /v1/ and /metrics are documented by Consul and Prometheus). Reads are open to whoever reaches the socket; writes need `Authorization: Bearer <token>` when the agent has a token, always beyond loopback.',
    },
    paths,
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}
