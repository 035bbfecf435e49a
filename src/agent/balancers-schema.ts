import { z } from 'zod';

/**
 * portico.yaml `balancers:` — embedded balancers `portico agent` runs in-process:
 *
 *   balancers:
 *     - name: edge
 *       config: lb/portico-lb.yaml   # the `lb serve --config` format, relative to portico.yaml
 *
 * The file is read by the same loader as `lb serve --config`, so it has exactly that format.
 */
export const balancersSchema = z
  .array(
    z.strictObject({
      name: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'use letters, digits, ".", "_" and "-" (max 63)'),
      config: z.string().min(1, 'the path of a portico-lb.yaml (relative to portico.yaml)'),
    }),
  )
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((b, i) => {
      if (seen.has(b.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `balancer "${b.name}" is declared twice`,
        });
      seen.add(b.name);
    });
  });

export type DeclaredBalancers = z.output<typeof balancersSchema>;
