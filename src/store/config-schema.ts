import { z } from 'zod';

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PORTICO_ETCD_PASSWORD');

const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration such as 500ms, 3s or 1m');

/**
 * `store:` in portico.yaml: which catalog every command and the agent of this project use
 * (--store and PORTICO_STORE still win). Only a variable *name* may hold the password: a
 * portico.yaml is committed, so an inline secret would end up in git.
 *
 *   store:
 *     url: etcd://10.0.0.1:2379,10.0.0.2:2379/portico   # or sqlite:///var/lib/portico/catalog.db
 *     tls: { ca: certs/ca.pem, cert: certs/client.pem, key: certs/client-key.pem }
 *     auth: { username: portico, passwordEnv: PORTICO_ETCD_PASSWORD }
 *     timeout: 3s
 *     lease: 10s        # how long an agent's instances outlive it (etcd only)
 */
export const storeConfigSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .refine(
      (v) => /^(sqlite|etcd):\/\/./.test(v),
      'a store URL: sqlite:///path/catalog.db or etcd://host:port[,host:port…]',
    ),
  tls: z
    .strictObject({
      /** Files, relative to portico.yaml. */
      ca: z.string().min(1),
      cert: z.string().min(1).optional(),
      key: z.string().min(1).optional(),
    })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), 'cert and key go together')
    .optional(),
  auth: z
    .strictObject({
      username: z.string().min(1),
      passwordEnv: envName,
    })
    .optional(),
  timeout: duration.optional(),
  lease: duration.optional(),
});

export type StoreConfig = z.output<typeof storeConfigSchema>;
