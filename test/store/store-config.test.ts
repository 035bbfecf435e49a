import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, storeOrigin } from '../../src/store/index.js';
import type { ManifestStore } from '../../src/store/select.js';
import { runPortico } from '../helpers/cli.js';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { instance } from './contract.js';

const manifestStore = (
  url: string,
  dir: string,
  extra: Partial<ManifestStore['config']> = {},
): ManifestStore => ({
  config: { url, ...extra },
  dir,
});

describe('store selection: --store > PORTICO_STORE > portico.yaml > default', () => {
  it('names where the catalog comes from', () => {
    const m = manifestStore('etcd://127.0.0.1:1', '/');
    expect(storeOrigin('x.db', { PORTICO_STORE: 'y.db' }, m)).toBe('flag');
    expect(storeOrigin(undefined, { PORTICO_STORE: 'y.db' }, m)).toBe('env');
    expect(storeOrigin(undefined, {}, m)).toBe('manifest');
    expect(storeOrigin(undefined, {}, undefined)).toBe('default');
  });

  it('opens the catalog each rule names', async () => {
    const dir = tempDir();
    const at = (name: string) => join(dir, `${name}.db`);
    const m = manifestStore(`sqlite://${at('manifest')}`, dir);
    const env = { PORTICO_HOME: join(dir, 'home') };
    for (const [flag, e, expected] of [
      [at('flag'), { ...env, PORTICO_STORE: `sqlite://${at('env')}` }, 'flag'],
      [undefined, { ...env, PORTICO_STORE: `sqlite://${at('env')}` }, 'env'],
      [undefined, env, 'manifest'],
    ] as const) {
      const s = await openStore(flag, e, 'p', m);
      await s.register(instance(`via-${expected}`));
      await s.close();
      expect(existsSync(at(expected)), expected).toBe(true);
    }
    expect(existsSync(join(dir, 'home', 'catalog.db'))).toBe(false);
    const d = await openStore(undefined, env, 'p', undefined);
    await d.close();
    expect(existsSync(join(dir, 'home', 'catalog.db'))).toBe(true);
  });

  it('refuses a password variable that is not set, before contacting etcd', async () => {
    const m = manifestStore('etcd://127.0.0.1:1', '/', {
      auth: { username: 'u', passwordEnv: 'NOT_SET_HERE' },
    });
    await expect(openStore(undefined, {}, 'p', m)).rejects.toMatchObject({ code: 'E_STORE_CONFIG' });
    const tls = manifestStore('etcd://127.0.0.1:1', tempDir(), { tls: { ca: 'missing.pem' } });
    await expect(openStore(undefined, {}, 'p', tls)).rejects.toMatchObject({ code: 'E_STORE_CONFIG' });
  });
});

describe('store: in portico.yaml through the CLI', () => {
  const project = (store: string): string => {
    const dir = tempDir();
    writeFileSync(join(dir, 'portico.yaml'), `services: {}\nstore:\n${store}`);
    return dir;
  };

  it('every command uses it, and --store wins', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'portico.yaml'), `services: {}\nstore:\n  url: sqlite://${dir}/shared.db\n`);
    const env = { PORTICO_HOME: join(dir, 'home'), PORTICO_STORE: '' };
    const reg = await runPortico(['-C', dir, 'discovery', 'register', 'api', '--port', '3001'], { env });
    expect(reg.code, reg.stderr).toBe(0);
    expect(existsSync(join(dir, 'shared.db'))).toBe(true);
    const listed = await runPortico(['-C', dir, 'discovery', 'list', '--json'], { env });
    expect(listed.json<{ instances: Array<{ id: string }> }>().instances.map((i) => i.id)).toEqual([
      'cli:api:127.0.0.1:3001',
    ]);
    const other = await runPortico(
      ['-C', dir, 'discovery', 'list', '--json', '--store', join(dir, 'other.db')],
      {
        env,
      },
    );
    expect(other.json<{ instances: unknown[] }>().instances).toEqual([]);
  });

  it('refuses bad URLs and inline passwords with coded errors (exit 2)', async () => {
    const env = { PORTICO_STORE: '' };
    for (const [store, code] of [
      ['  url: redis://x\n', 'E_MANIFEST_INVALID'],
      ['  url: etcd://a\n  auth: { username: u, password: secret }\n', 'E_MANIFEST_INVALID'],
      ['  url: etcd://no-port\n', 'E_STORE_URL'],
    ] as const) {
      const r = await runPortico(['-C', project(store), 'discovery', 'list'], { env });
      expect(r.code, store).toBe(2);
      expect(r.stderr, store).toContain(code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const flag = await runPortico(['discovery', 'list', '--store', 'mongo://x'], { env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('E_STORE_URL');
  });
});

describeWith(
  ['etcd', 'etcdctl', 'openssl'],
  'store: in portico.yaml with TLS files and auth from a variable',
  () => {
    let secure: EtcdServer | undefined;
    let authed: EtcdServer | undefined;
    beforeAll(async () => {
      [secure, authed] = await Promise.all([startEtcd({ tls: true }), startEtcd()]);
      execFileSync('etcdctl', ['--endpoints', authed.endpoint, 'user', 'add', 'root:pw-from-env'], {
        env: { ...process.env, ETCDCTL_API: '3' },
        stdio: 'pipe',
        timeout: 10_000,
      });
      execFileSync('etcdctl', ['--endpoints', authed.endpoint, 'auth', 'enable'], {
        env: { ...process.env, ETCDCTL_API: '3' },
        stdio: 'pipe',
        timeout: 10_000,
      });
    }, 60_000);
    afterAll(async () => {
      await Promise.all([secure?.stop(), authed?.stop()]);
    });

    it('reads the CA and client certificate relative to portico.yaml', async () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'certs'));
      const { caFile, certFile, keyFile } = secure!.tls!;
      copyFileSync(caFile, join(dir, 'certs', 'ca.pem'));
      copyFileSync(certFile, join(dir, 'certs', 'client.pem'));
      copyFileSync(keyFile, join(dir, 'certs', 'client-key.pem'));
      const tls = { ca: 'certs/ca.pem', cert: 'certs/client.pem', key: 'certs/client-key.pem' };
      const s = await openStore(
        undefined,
        {},
        'p',
        manifestStore(`etcd://${secure!.endpoint}`, dir, { tls }),
      );
      await s.register(instance('over-tls'));
      expect((await s.listInstances()).map((i) => i.id)).toEqual(['over-tls']);
      await s.close();
    }, 30_000);

    it('takes the password from the variable auth.passwordEnv names', async () => {
      const auth = { username: 'root', passwordEnv: 'MY_ETCD_PW' };
      const m = manifestStore(`etcd://${authed!.endpoint}`, '/', { auth });
      const s = await openStore(undefined, { MY_ETCD_PW: 'pw-from-env' }, 'p', m);
      await s.register(instance('authed'));
      expect((await s.listInstances()).map((i) => i.id)).toEqual(['authed']);
      await s.close();
      await expect(openStore(undefined, { MY_ETCD_PW: 'wrong' }, 'p', m)).rejects.toMatchObject({
        code: 'E_STORE_UNAVAILABLE',
      });
    }, 30_000);
  },
);
