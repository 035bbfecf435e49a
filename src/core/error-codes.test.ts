import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from './error-codes.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

describe('coded errors', () => {
  it('documents every code with an anchored row in docs/errors.md', () => {
    const missing = Object.keys(errorCodes).filter(
      (code) => !doc.includes(`<a id="${code}"></a>\`${code}\``),
    );
    expect(missing).toEqual([]);
  });

  it('documents no code that the table does not have', () => {
    const documented = [...doc.matchAll(/<a id="(E_[A-Z0-9_]+)"><\/a>/g)].map((m) => m[1]);
    expect(documented.filter((code) => !(code! in errorCodes))).toEqual([]);
  });
});
