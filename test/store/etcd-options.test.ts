import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientOptions, parseEtcdLocation } from '../../src/store/etcd/options.js';
import { tempDir } from '../helpers/tmp.js';

describe('etcd store location', () => {
  it('reads several endpoints, a key prefix and the defaults', () => {
    expect(parseEtcdLocation('10.0.0.1:2379,10.0.0.2:2379/team-a/', {})).toEqual({
      hosts: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      prefix: '/team-a',
      tls: false,
      timeoutMs: 3000,
      leaseTtlSeconds: 10,
    });
    expect(parseEtcdLocation('[::1]:2379', {}).prefix).toBe('/portico');
    expect(parseEtcdLocation('[::1]:2379?lease=4', {}).leaseTtlSeconds).toBe(4);
    expect(parseEtcdLocation('[::1]:2379', { PORTICO_ETCD_LEASE_TTL: '30' }).leaseTtlSeconds).toBe(30);
    expect(() => parseEtcdLocation('[::1]:2379?lease=1', {})).toThrow(/lease TTL/);
  });

  it('takes TLS and auth from the query, else from the environment; the password only from the environment', () => {
    const env = {
      PORTICO_ETCD_USER: 'env-user',
      PORTICO_ETCD_PASSWORD: 's3cret',
      PORTICO_ETCD_CA: '/env/ca.pem',
    };
    const fromEnv = parseEtcdLocation('etcd.internal:2379', env);
    expect(fromEnv).toMatchObject({
      hosts: ['https://etcd.internal:2379'],
      tls: true,
      caFile: '/env/ca.pem',
      username: 'env-user',
      password: 's3cret',
    });
    const fromUrl = parseEtcdLocation(
      'etcd.internal:2379?user=alice&ca=/q/ca.pem&timeout=500&password=no',
      env,
    );
    expect(fromUrl).toMatchObject({
      username: 'alice',
      caFile: '/q/ca.pem',
      timeoutMs: 500,
      password: 's3cret',
    });
    expect(parseEtcdLocation('h:1?tls=1', {}).hosts).toEqual(['https://h:1']);
  });

  it('refuses what it cannot use, with E_STORE_URL', () => {
    for (const bad of ['', 'no-port', 'h:1?timeout=soon', 'h:1,,x']) {
      expect(() => parseEtcdLocation(bad, {}), bad).toThrow(expect.objectContaining({ code: 'E_STORE_URL' }));
    }
    expect(() => clientOptions(parseEtcdLocation('h:1?user=bob', {}))).toThrow(
      expect.objectContaining({ code: 'E_STORE_URL' }),
    );
    expect(() => clientOptions(parseEtcdLocation('h:1?cert=/c.pem&key=/k.pem', {}))).toThrow(
      expect.objectContaining({ code: 'E_STORE_URL' }),
    );
  });

  it('loads the CA and client certificate files, and names a missing one', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    writeFileSync(join(dir, 'k.pem'), 'KEY');
    const options = clientOptions(
      parseEtcdLocation(`h:1?ca=${dir}/ca.pem&cert=${dir}/c.pem&key=${dir}/k.pem`, {}),
    );
    expect(options.credentials?.rootCertificate.toString()).toBe('CA');
    expect(options.credentials?.certChain?.toString()).toBe('CERT');
    expect(options.credentials?.privateKey?.toString()).toBe('KEY');
    expect(() => clientOptions(parseEtcdLocation(`h:1?ca=${dir}/missing.pem`, {}))).toThrow(
      expect.objectContaining({ code: 'E_FILE_NOT_FOUND', message: expect.stringContaining('missing.pem') }),
    );
  });
});
