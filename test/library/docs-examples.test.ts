import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWith } from '../helpers/requirements.js';
import { type EtcdServer, startEtcd } from '../helpers/servers/etcd.js';
import { tempDir } from '../helpers/tmp.js';
import { type DocExample, docExamples, runNode } from './doc-examples.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = docExamples(join(root, 'docs/LIBRARY.md'));
const timeoutMs = 60_000;

/**
 * The examples of docs/LIBRARY.md, run for real against the built package (`npm run build`):
 * each is written into a folder inside the package, so `import … from 'portico/…'` resolves
 * through package.json `exports` (self-reference) exactly as in a user's project, and its
 * output must be the one the doc shows.
 */
let folder: string;
beforeAll(() => {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('run npm run build first (dist/ is missing)');
  folder = mkdtempSync(join(root, '.library-examples-'));
});
afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function run(example: DocExample, index: number, env: NodeJS.ProcessEnv = {}) {
  const file = join(folder, `example-${index}.mjs`);
  writeFileSync(file, example.code);
  return await runNode(file, {
    cwd: folder,
    env: { PATH: process.env.PATH, HOME: tempDir(), NO_COLOR: '1', PORTICO_HOME: tempDir(), ...env },
    timeoutMs,
  });
}

describe('docs/LIBRARY.md', () => {
  it('has an example for each area of the package', () => {
    const exports = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<
      string,
      unknown
    >;
    const areas = Object.keys(exports).filter((k) => k !== '.' && k !== './package.json');
    const imported = new Set(
      examples.flatMap((e) => [...e.code.matchAll(/from 'portico\/(\w+)'/g)].map((m) => m[1])),
    );
    expect(areas.map((a) => a.slice(2)).sort()).toEqual([...imported].sort());
  });

  for (const [index, example] of examples.entries()) {
    it(`runs the "${example.section}" example and prints what the doc shows`, {
      timeout: timeoutMs + 5000,
    }, async () => {
      const result = await run(example, index);
      expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|ERR_PACKAGE_PATH_NOT_EXPORTED/);
      expect({ code: result.code, stdout: result.stdout.trimEnd() }, result.stderr).toEqual({
        code: 0,
        stdout: example.expected,
      });
    });
  }
});

describe('package exports', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | { types: string; import: string }>;
  };
  it('name a built module and its type declarations for every entry point', () => {
    for (const [name, target] of Object.entries(pkg.exports)) {
      if (name === './package.json') continue;
      expect(typeof target, name).toBe('object');
      const t = target as { types: string; import: string };
      expect(existsSync(resolve(root, t.import)), t.import).toBe(true);
      expect(existsSync(resolve(root, t.types)), t.types).toBe(true);
    }
  });

  it('give TypeScript users the types through the same subpaths, and no internals', {
    timeout: 120_000,
  }, async () => {
    const file = join(folder, 'typed.ts');
    writeFileSync(
      file,
      [
        "import { type BalancerConfig, createBalancer } from 'portico/balancer';",
        "import { type CheckDefinition, defineCheck } from 'portico/checks';",
        "import { type Report, healthReport } from 'portico/diagnose';",
        "import { type Store, openStore } from 'portico/store';",
        "import { PorticoError, whoHolds } from 'portico';",
        "const config: BalancerConfig = { listen: '127.0.0.1:0', routes: [] };",
        "const check: CheckDefinition = defineCheck('tcp');",
        'const report: Promise<Report> = healthReport({ cwd: "/", env: {} });',
        'const store: Promise<Store> = openStore();',
        'export const used = [createBalancer(config), check, report, store, PorticoError, whoHolds];',
        '// @ts-expect-error the diagnosis facts are internal',
        "import { Facts } from 'portico/diagnose';",
        '// @ts-expect-error a wrong config is a type error',
        "createBalancer({ routes: [{ name: 'x', upstreams: [8080] }] });",
        'export const internal = Facts;',
        '',
      ].join('\n'),
    );
    const result = await runNode(join(root, 'node_modules/typescript/bin/tsc'), {
      cwd: folder,
      env: { PATH: process.env.PATH },
      timeoutMs: 110_000,
      args: [
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2023',
        '--types',
        'node',
        file,
      ],
    });
    expect({ code: result.code, out: result.stdout }).toEqual({ code: 0, out: '' });
  });
});

describeWith(['etcd'], 'the store example on etcd', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('prints the same with PORTICO_STORE=etcd://…', { timeout: timeoutMs + 5000 }, async () => {
    const index = examples.findIndex((e) => e.code.includes("from 'portico/store'"));
    const result = await run(examples[index]!, index, { PORTICO_STORE: `etcd://${etcd.endpoint}` });
    expect({ code: result.code, stdout: result.stdout.trimEnd() }, result.stderr).toEqual({
      code: 0,
      stdout: examples[index]!.expected,
    });
  });
});
