import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingCodes } from './codes.js';

const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');

describe('finding codes', () => {
  it('documents every code with an anchored row in docs/findings.md', () => {
    expect(Object.keys(findingCodes).filter((c) => !doc.includes(`<a id="${c}"></a>\`${c}\``))).toEqual([]);
  });
  it('documents no code the table lacks', () => {
    const documented = [...doc.matchAll(/<a id="([A-Z0-9_]+)"><\/a>/g)].map((m) => m[1]!);
    expect(documented.filter((c) => !(c in findingCodes))).toEqual([]);
  });
});
