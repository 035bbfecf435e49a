import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadComposeProject } from '../../src/compose/load.js';
import { PorticoError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/tmp.js';

const fixtures = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));
/** PORTICO_FUZZ_SEED / PORTICO_FUZZ_RUNS explore further; the defaults keep CI reproducible. */
const seed = Number(process.env.PORTICO_FUZZ_SEED ?? 20_261_127);
const numRuns = Number(process.env.PORTICO_FUZZ_RUNS ?? 40);

function composeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'expected' ? [] : composeFiles(path);
    // The alias bomb is slow by design (it is rejected after 200 000 values); its own test covers it.
    return (/\.ya?ml$/.test(name) && !name.startsWith('alias-bomb')) || /\.env$/.test(name) ? [path] : [];
  });
}

/** The compose file that reads `file`: itself, or for a .env / env_file the compose file next to it. */
function composeFor(file: string): string {
  if (/\.ya?ml$/.test(file)) return file;
  const dir = dirname(file);
  const yaml = readdirSync(dir).find((n) => /\.ya?ml$/.test(n) && !n.includes('override'));
  return join(dir, yaml ?? 'compose.yaml');
}

/** Ways a half-edited or damaged file goes wrong. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('blank-value' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom(
      ':',
      '-',
      ' ',
      '\n',
      '{',
      '}',
      '[',
      '$',
      '${',
      '$$',
      '"',
      "'",
      '&a',
      '*a',
      '!reset ',
      '<<: ',
      '#',
      '\t',
      '0',
      '99999',
      ':-',
      '~',
      'null',
    ),
  }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const line = lines.length > 0 ? m.at % lines.length : 0;
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'drop-line':
      return lines.filter((_, i) => i !== line).join('\n');
    case 'duplicate-line':
      return [...lines.slice(0, line + 1), lines[line] ?? '', ...lines.slice(line + 1)].join('\n');
    case 'blank-value':
      // "key: value" → "key:" (the half-edited file of the issue)
      return lines.map((l, i) => (i === line ? l.replace(/:\s.*$/, ':') : l)).join('\n');
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
  }
}

describe('fuzzing the compose loader with damaged fixtures', () => {
  // Each fixture folder is copied once, so .env files, includes and extends still resolve.
  const work = tempDir('portico-fuzz-');
  cpSync(fixtures, work, { recursive: true });
  const files = composeFiles(work);

  it('found the fixtures', () => expect(files.length).toBeGreaterThan(20));

  for (const file of files) {
    const name = relative(work, file);
    it(`${name}: a resolved model or a coded error with file:line`, async () => {
      const original = readFileSync(file, 'utf8');
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
            writeFileSync(file, ms.reduce(mutate, original));
            try {
              const project = await loadComposeProject({ files: [composeFor(file)], cwd: work, env: {} });
              expect(Array.isArray(project.services)).toBe(true);
            } catch (error) {
              expect(error).toBeInstanceOf(PorticoError);
              const e = error as PorticoError;
              expect(e.code).not.toBe('E_INTERNAL');
              expect(e.message).toMatch(/\.(ya?ml|env):\d+/);
            }
          }),
          { seed, numRuns, endOnFailure: true },
        );
      } finally {
        writeFileSync(file, original);
      }
    }, 60_000);
  }
});
