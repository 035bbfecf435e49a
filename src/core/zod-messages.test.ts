import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import './zod-messages.js';

const first = (schema: z.ZodType, value: unknown): string => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a failure');
  return r.error.issues[0]!.message;
};

describe('zod messages', () => {
  it('say what was expected and what was given, never "Invalid input"', () => {
    expect(first(z.number(), '-1')).toBe('expected a number, got "-1"');
    expect(first(z.object({ a: z.string() }), {})).toBe('is required (a string)');
    expect(first(z.enum(['tcp', 'http']), 'ftp')).toBe('must be one of "tcp", "http", got "ftp"');
    expect(first(z.number().int().max(65535), 99999)).toBe('must be at most 65535, got 99999');
    expect(first(z.array(z.string()).min(1), [])).toBe('needs at least 1 item');
    expect(first(z.string().min(1), '')).toBe('must not be empty');
    expect(first(z.strictObject({ a: z.string() }), { a: 'x', b: 1 })).toBe('unknown key "b"');
    expect(first(z.array(z.string()), null)).toBe('expected an array, got null (an empty value)');
    const union = z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('http') }),
      z.object({ kind: z.literal('tcp') }),
    ]);
    expect(first(union, { kind: 'bogus' })).toBe('kind must be one of "http", "tcp", got "bogus"');
  });
});
