import { request } from 'undici';
import { afterAll } from 'vitest';
import { Balancer } from '../../src/balancer/balancer.js';
import { type BalancerConfigInput, balancerConfigSchema } from '../../src/balancer/config/schema.js';
import { configToSpec } from '../../src/balancer/config/to-spec.js';

const running: Balancer[] = [];
afterAll(async () => {
  await Promise.all(running.map((b) => b.close()));
});

/** An in-process balancer on 127.0.0.1 port 0 (HTTP and admin), closed after the file. */
export async function startBalancer(
  config: BalancerConfigInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ balancer: Balancer; url: string; admin: string }> {
  const spec = configToSpec(
    balancerConfigSchema.parse({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', ...config }),
  );
  const balancer = new Balancer(spec, env);
  running.push(balancer);
  const a = await balancer.start();
  return {
    balancer,
    url: a.http ? `http://127.0.0.1:${a.http.port}` : '',
    admin: `127.0.0.1:${a.admin!.port}`,
  };
}

export async function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(url, { headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

/** Bounded sequential-ish load: `n` requests, `c` at a time; returns the bodies (or error codes). */
export async function load(
  url: string,
  n: number,
  c = 10,
  headers: (i: number) => Record<string, string> = () => ({}),
): Promise<string[]> {
  const out: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (next < n) {
        const i = next++;
        try {
          const r = await get(url, headers(i));
          out[i] = r.status === 200 ? r.body : `HTTP ${r.status}`;
        } catch (error) {
          out[i] = `ERR ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
        }
      }
    }),
  );
  return out;
}

export function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
