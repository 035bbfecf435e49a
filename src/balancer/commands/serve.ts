import type { CommandContext } from '../../cli/context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { Balancer } from '../balancer.js';
import { type ServeOptions, specFromOptions } from './spec-from-options.js';

/** `portico lb serve`: run the balancer until Ctrl-C, then drain and close. */
export async function serveCommand(ctx: CommandContext, opts: ServeOptions): Promise<number> {
  const spec = specFromOptions(opts);
  const balancer = new Balancer(spec, ctx.env);
  const addresses = await balancer.start();
  let catalog: Promise<void> | undefined;
  let store: Awaited<ReturnType<typeof import('../../store/index.js').openStore>> | undefined;
  const needsCatalog = spec.catalog || spec.routes.some((r) => r.service) || spec.tcp.some((t) => t.service);
  if (needsCatalog) {
    const { openStore } = await import('../../store/index.js');
    const { followCatalog } = await import('../catalog.js');
    store = await openStore(opts.store, ctx.env);
    catalog = followCatalog(balancer, store, ctx.signal, (e) =>
      ctx.out.warn(`catalog: ${(e as Error).message}`),
    );
  }
  const doc = {
    http: addresses.http ? `http://${addresses.http.address}:${addresses.http.port}` : null,
    https: addresses.https ? `https://${addresses.https.address}:${addresses.https.port}` : null,
    admin: addresses.admin ? `http://${addresses.admin.address}:${addresses.admin.port}` : null,
    tcp: Object.fromEntries(Object.entries(addresses.tcp).map(([k, a]) => [k, `${a.address}:${a.port}`])),
    routes: spec.routes.map((r) => ({
      name: r.name,
      upstreams: r.upstreams.map((u) => u.id),
      algorithm: r.algorithm,
    })),
  };
  // A long-running command: the "result" is printed once at start, then it serves.
  ctx.out.result(doc, () => {
    const { c } = ctx.out;
    if (doc.http) ctx.out.line(`${c.green('●')} HTTP  ${doc.http}`);
    if (doc.https) ctx.out.line(`${c.green('●')} HTTPS ${doc.https}`);
    for (const [name, a] of Object.entries(doc.tcp)) ctx.out.line(`${c.green('●')} TCP   ${a} (${name})`);
    if (doc.admin) ctx.out.line(`${c.dim('admin')} ${doc.admin}/status  ${doc.admin}/metrics`);
    for (const r of doc.routes)
      ctx.out.line(
        `${c.dim('route')} ${r.name}: ${r.upstreams.join(', ') || '(from the catalog)'} [${r.algorithm}]`,
      );
    ctx.out.line(c.dim('Ctrl-C to stop'));
  });
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await balancer.close();
  await catalog;
  await store?.close();
  return ExitCode.Ok;
}
