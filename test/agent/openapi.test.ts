import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicy } from '../../src/agent/access.js';
import { Agent } from '../../src/agent/agent.js';
import { mountApi } from '../../src/agent/api/mount.js';
import { nativeApi } from '../../src/agent/api/native.js';
import { openApiPath, requestJsonSchema } from '../../src/agent/api/openapi.js';
import type { AgentContext } from '../../src/agent/context.js';
import { Router } from '../../src/agent/http/router.js';
import { tempDir } from '../helpers/tmp.js';
import { api, type Json } from './agent-process.js';

const token = 'openapi-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };

/**
 * A minimal structural check of an OpenAPI 3.1 document (the parts this API uses): version,
 * info, paths of path items whose operations have responses with descriptions, parameters
 * with a place and a schema (path parameters required), request bodies with content.
 */
const openApi31 = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+$' },
    jsonSchemaDialect: { type: 'string' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' } },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: { $ref: '#/$defs/pathItem' },
    },
    components: {
      type: 'object',
      properties: {
        schemas: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        securitySchemes: {
          type: 'object',
          additionalProperties: { type: 'object', required: ['type'] },
        },
      },
    },
  },
  $defs: {
    pathItem: {
      type: 'object',
      propertyNames: { enum: ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] },
      additionalProperties: { $ref: '#/$defs/operation' },
    },
    operation: {
      type: 'object',
      required: ['responses', 'operationId'],
      properties: {
        operationId: { type: 'string', minLength: 1 },
        parameters: { type: 'array', items: { $ref: '#/$defs/parameter' } },
        requestBody: {
          type: 'object',
          required: ['content'],
          properties: { content: { type: 'object', minProperties: 1 } },
        },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^([1-5]\\d\\d|default)$' },
          additionalProperties: { type: 'object', required: ['description'] },
        },
        security: { type: 'array' },
      },
    },
    parameter: {
      type: 'object',
      required: ['name', 'in', 'schema'],
      properties: { in: { enum: ['path', 'query', 'header', 'cookie'] }, name: { type: 'string' } },
      // A path parameter must say required: true.
      anyOf: [
        { properties: { in: { not: { const: 'path' } } } },
        { required: ['required'], properties: { required: { const: true } } },
      ],
    },
  },
};

const methods = ['get', 'put', 'post', 'delete'] as const;

describe('GET /api/v1/openapi.json and the agent’s write protection', () => {
  let agent: Agent;
  let doc: Json;
  const url = (path: string) => `http://${agent.address}${path}`;

  beforeAll(async () => {
    const cwd = tempDir('portico-openapi-cwd-');
    agent = await Agent.start({
      listen: { host: '127.0.0.1', port: 0 },
      // The policy an agent listening beyond loopback gets (the socket itself stays on 127.0.0.1).
      access: accessPolicy({ host: '0.0.0.0', tokenEnv: 'AGENT_TOKEN', env: { AGENT_TOKEN: token }, cwd }),
      selector: { cwd, env: {} },
      discover: false,
      env: { ...process.env, PORTICO_HOME: tempDir('portico-openapi-home-') },
      warn: () => {},
    });
    const res = await api(url('/api/v1/openapi.json'));
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('is a structurally valid OpenAPI 3.1 document with unique operation ids', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(openApi31);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      (item) => Object.values(item).map((op) => op.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
    // Every $ref points at a schema that exists.
    for (const ref of JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [])
      expect(doc.components.schemas[ref.slice(22, -1)], ref).toBeDefined();
  });

  it('lists every native route, and nothing the router does not serve', async () => {
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routes = nativeApi.map((r) => `${r.method} ${openApiPath(r.path).path}`);
    expect(documented.sort()).toEqual([...routes].sort());
    // …and the table is all the agent serves under /api/v1/: nothing mounted beside it.
    const router = new Router();
    mountApi(router, {} as AgentContext);
    const served = router
      .list()
      .filter((r) => r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${openApiPath(r.path).path}`);
    expect(served.sort()).toEqual(documented.sort());
    for (const path of [
      '/api/v1/openapi.json',
      '/api/v1/alerts',
      '/api/v1/agent',
      '/api/v1/instances/{id}/history',
      '/api/v1/sd/prometheus',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    // The router answers each documented operation (never "no such endpoint" / 405).
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) {
        const concrete = path.replace(/\{[^}]+\}/g, 'x');
        if (concrete === '/api/v1/events') {
          const stream = new AbortController();
          const res = await fetch(url(concrete), { signal: stream.signal });
          expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
          stream.abort();
          continue;
        }
        const res = await api(url(concrete), { method: method.toUpperCase(), headers: auth });
        expect(
          [404, 405].includes(res.status) && /no such endpoint|not allowed/.test(res.body?.error?.message),
          `${method} ${path}`,
        ).toBe(false);
      }
    }
  });

  it('declares every path parameter, required, and nothing else in the path', () => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const method of methods) {
        const op = item[method];
        if (!op) continue;
        const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path');
        expect(declared.map((p: Json) => p.name).sort(), `${method} ${path}`).toEqual(inPath);
        for (const p of declared) expect(p.required).toBe(true);
      }
    }
  });

  it('request bodies are the schemas the routes validate with: what the document rejects, the agent rejects with 400', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const bodyRoutes = nativeApi.filter((r) => r.body);
    expect(bodyRoutes.map((r) => r.id)).toEqual(expect.arrayContaining(['registerInstance', 'passTtlCheck']));
    for (const r of bodyRoutes) {
      const op = doc.paths[openApiPath(r.path).path][r.method.toLowerCase()];
      const ref = op.requestBody.content['application/json'].schema.$ref as string;
      expect(ref).toBe(`#/components/schemas/${r.body!.name}`);
      expect(doc.components.schemas[r.body!.name]).toEqual(requestJsonSchema(r.body!.schema));
    }
    const register = ajv.compile(doc.components.schemas.RegisterInstance);
    const rejected: Array<[unknown, RegExp]> = [
      [{ service: 'web', port: 70000 }, /^body\.port: /],
      [{ service: 'bad name!', port: 80 }, /^body\.service: letters, digits/],
      [{ port: 80 }, /^body\.service: /],
      [{ service: 'web', port: 80, extra: true }, /extra/],
      [{ service: 'web', port: 80, protocol: 'smtp' }, /^body\.protocol: /],
    ];
    for (const [body, message] of rejected) {
      expect(register(body), JSON.stringify(body)).toBe(false);
      const res = await api(url('/api/v1/instances'), { method: 'POST', body, headers: auth });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('E_API_BAD_REQUEST');
      expect(res.body.error.message).toMatch(message);
    }
    const good = { service: 'doc-ok', port: 8080, tags: ['a'], checks: ['tcp'] };
    expect(register(good)).toBe(true);
    const created = await api(url('/api/v1/instances'), { method: 'POST', body: good, headers: auth });
    expect(created.status).toBe(201);

    const ttl = ajv.compile(doc.components.schemas.TtlReport);
    expect(ttl({ note: 5 })).toBe(false);
    const bad = await api(url('/api/v1/instances/x/checks/ttl/pass'), {
      method: 'PUT',
      body: { note: 5 },
      headers: auth,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^body\.note: /);

    // Query parameters too: `since` is declared with the pattern the route checks.
    const history = doc.paths['/api/v1/instances/{id}/history'].get.parameters.find(
      (p: Json) => p.name === 'since',
    );
    expect(history).toMatchObject({ in: 'query', required: false });
    expect(ajv.compile(history.schema)('yesterday')).toBe(false);
    const id = encodeURIComponent(created.body.registered.id);
    const wrong = await api(url(`/api/v1/instances/${id}/history?since=yesterday`));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe('query.since: epoch milliseconds');
    expect((await api(url(`/api/v1/instances/${id}/history?since=0`))).status).toBe(200);
  });

  it('beyond loopback every write needs the token (Bearer on /api/v1, X-Consul-Token on /v1); reads stay open', async () => {
    const described = await api(url('/api/v1/agent'));
    expect(described.body).toMatchObject({ exposed: true, tokenRequired: true });
    const writes = nativeApi.filter((r) => r.write);
    expect(writes.map((r) => r.method).sort()).toEqual(['DELETE', 'POST', 'PUT', 'PUT', 'PUT']);
    for (const r of writes) {
      const path = r.path.replace(/:[a-z]+/g, 'x');
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token-wrong-token-00' },
        { authorization: token },
      ] as Array<Record<string, string>>) {
        const res = await api(url(path), { method: r.method, body: {}, headers });
        expect(res.status, `${r.method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.error.code).toBe('E_API_UNAUTHORIZED');
      }
    }
    const consulWrites: Array<[string, unknown]> = [
      ['/v1/agent/service/register', { Name: 'c1', Port: 7001 }],
      ['/v1/agent/service/deregister/c1', undefined],
      ['/v1/agent/check/pass/service:c1', undefined],
      ['/v1/agent/check/update/service:c1', { Status: 'passing' }],
    ];
    for (const [path, body] of consulWrites) {
      for (const headers of [{}, { 'x-consul-token': 'not-the-token' }] as Array<Record<string, string>>) {
        const res = await api(url(path), { method: 'PUT', body, headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(res.body).toMatch(/Permission denied/);
      }
    }
    const ok = await api(url('/v1/agent/service/register'), {
      method: 'PUT',
      body: { Name: 'c1', Port: 7001 },
      headers: { 'x-consul-token': token },
    });
    expect(ok.status).toBe(200);
    for (const path of ['/api/v1/services', '/api/v1/checks', '/v1/catalog/services', '/api/v1/alerts'])
      expect((await api(url(path))).status, path).toBe(200);
  });

  it('no command check can be created through either API, even with the token', async () => {
    const native: unknown[] = [
      ['command:/bin/true'],
      [{ kind: 'command', argv: ['/bin/true'] }],
      ['tcp', { kind: 'command', argv: ['sh', '-c', 'true'] }],
    ];
    for (const checks of native) {
      const res = await api(url('/api/v1/instances'), {
        method: 'POST',
        body: { service: 'cmd', port: 9, checks },
        headers: auth,
      });
      expect(res.status, JSON.stringify(checks)).toBe(400);
      expect(res.body.error.code).toBe('E_CHECK_UNTRUSTED');
    }
    const consul: unknown[] = [
      { Name: 'cmd', Port: 9, Check: { Args: ['/bin/true'], Interval: '10s' } },
      {
        Name: 'cmd',
        Port: 9,
        Checks: [
          { TCP: '127.0.0.1:9', Interval: '10s' },
          { Script: 'true', Interval: '10s' },
        ],
      },
      { Name: 'cmd', Port: 9, Check: { ScriptArgs: ['true'], Interval: '10s' } },
    ];
    for (const body of consul) {
      const res = await api(url('/v1/agent/service/register'), {
        method: 'PUT',
        body,
        headers: { 'x-consul-token': token },
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatch(/script checks cannot be registered|command/);
    }
    const services = await api(url('/api/v1/services'));
    expect(services.body.services.map((s: { name: string }) => s.name)).not.toContain('cmd');
    const checks = await api(url('/api/v1/checks'));
    expect(checks.body.checks.map((c: { kind: string }) => c.kind)).not.toContain('command');
  });
});
