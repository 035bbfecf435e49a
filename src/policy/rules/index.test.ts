import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ruleIds } from '../ids.js';
import { rules } from './index.js';

describe('policy rule table', () => {
  it('has one rule per id, under its own id', () => {
    expect(Object.keys(rules).sort()).toEqual([...ruleIds].sort());
    for (const id of ruleIds) expect(rules[id].id).toBe(id);
  });

  it('documents every rule id in docs/policy.md, and nothing else', () => {
    const doc = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^### `([a-z-]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...ruleIds].sort());
  });
});
