import type { CommandContext } from '../../core/command-context.js';
import { PorticoError } from '../../core/errors.js';
import { selectorFor } from '../../project/index.js';
import type { EtcdStore } from '../../store/etcd/etcd-store.js';
import { openProjectCatalog } from '../../store/for-project.js';

/** The project's catalog, which must be etcd for `portico cluster` (a coded error otherwise). */
export async function openClusterStore(ctx: CommandContext, flag: string | undefined): Promise<EtcdStore> {
  const store = await openProjectCatalog(selectorFor(ctx), flag, ctx.env);
  const etcd = store as Partial<EtcdStore>;
  if (!etcd.client || typeof etcd.root !== 'string') {
    await store.close();
    throw new PorticoError(
      'E_STORE_URL',
      'portico cluster needs a shared catalog (etcd), this one is SQLite',
      {
        hint: 'Use --store etcd://host:port, PORTICO_STORE, or store: { url: etcd://… } in portico.yaml.',
      },
    );
  }
  return store as EtcdStore;
}
