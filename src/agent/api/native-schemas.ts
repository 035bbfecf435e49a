import { z } from 'zod';

/**
 * The request schemas of the native API: the router validates with them (route-table.ts) and
 * /api/v1/openapi.json publishes them, converted with z.toJSONSchema.
 */
export const registerBody = z
  .strictObject({
    id: z.string().min(1).max(200).optional(),
    service: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." and "-"'),
    address: z.string().min(1).max(255).default('127.0.0.1'),
    port: z.number().int().min(1).max(65535),
    protocol: z.enum(['tcp', 'udp', 'http', 'https', 'grpc', 'postgres', 'redis', 'mysql']).default('tcp'),
    tags: z.array(z.string().max(200)).max(64).default([]),
    meta: z.record(z.string(), z.string()).default({}),
    /** Spec strings (`http:/health`) or portico.yaml check objects; never `command` (origin api). */
    checks: z
      .array(z.union([z.string(), z.record(z.string(), z.unknown())]))
      .max(32)
      .default([]),
  })
  .describe('An instance to register in the agent project’s catalog (source "api").');

export const ttlBody = z
  .strictObject({ note: z.string().max(4096).optional() })
  .describe('A TTL report; the note becomes the check output.');

export const instancesQuery = z.object({
  service: z.string().min(1).optional().describe('Only instances of this service.'),
});

export const historyQuery = z.object({
  since: z
    .string()
    .regex(/^\d{1,16}$/, 'epoch milliseconds')
    .transform(Number)
    .optional()
    .describe('Epoch milliseconds; default: 24 hours ago.'),
});

export const catalogQuery = z.object({
  service: z.string().optional().describe('Only instances of this service.'),
  source: z
    .string()
    .optional()
    .describe('Only instances from this source (compose, docker, manifest, api…).'),
});
