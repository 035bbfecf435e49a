import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-file.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces content, keeps mode, and leaves a distinct backup per write', () => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, 'v1\n');
    chmodSync(file, 0o640);
    const first = writeFileAtomic(file, 'v2\n');
    const second = writeFileAtomic(file, 'v3\n');
    expect(readFileSync(file, 'utf8')).toBe('v3\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readFileSync(first.backup!, 'utf8')).toBe('v1\n');
    expect(readFileSync(second.backup!, 'utf8')).toBe('v2\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with E_FILE_WRITE and leaves the original untouched when the directory is missing', () => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    expect(() => writeFileAtomic(join(dir, 'nope', 'x.yaml'), 'x')).toThrow(
      expect.objectContaining({ code: 'E_FILE_WRITE' }),
    );
  });
});
