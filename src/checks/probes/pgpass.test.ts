import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers/tmp.js';
import { pgpassPassword } from './pgpass.js';

const query = { host: 'db.local', port: 5432, database: 'shop', user: 'app' };

function passfile(text: string, mode = 0o600): string {
  const file = join(tempDir(), 'pgpass');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('pgpassPassword', () => {
  it('takes the first matching line, with * wildcards and \\: \\\\ escapes', () => {
    const file = passfile(
      [
        '# host:port:database:user:password',
        'db.local:5433:shop:app:wrong-port',
        'db.local:5432:other:app:wrong-db',
        String.raw`db.local:*:shop:app:pa\:ss\\word`,
        '*:*:*:*:fallback',
      ].join('\n'),
    );
    expect(pgpassPassword(query, { PGPASSFILE: file })).toBe(String.raw`pa:ss\word`);
    expect(pgpassPassword({ ...query, user: 'other' }, { PGPASSFILE: file })).toBe('fallback');
  });

  it('reads ~/.pgpass when PGPASSFILE is unset', () => {
    const home = tempDir();
    writeFileSync(join(home, '.pgpass'), '*:*:shop:app:from-home\n');
    chmodSync(join(home, '.pgpass'), 0o600);
    expect(pgpassPassword(query, { HOME: home })).toBe('from-home');
  });

  it('ignores a file others can read, and a missing one', () => {
    expect(pgpassPassword(query, { PGPASSFILE: passfile('*:*:*:*:x\n', 0o640) })).toBeUndefined();
    expect(pgpassPassword(query, { PGPASSFILE: join(tempDir(), 'none') })).toBeUndefined();
  });
});
