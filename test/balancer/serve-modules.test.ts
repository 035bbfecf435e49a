import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { request } from 'undici';
import { expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { spawnTracked, stopProcess } from '../helpers/processes.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstreams.js';
import { waitFor } from '../helpers/wait.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/**
 * Every module a process resolves, written to `log` by a module-resolution hook (ES modules;
 * the CLI and the balancer are ES modules, their CommonJS dependencies are not listed).
 */
function resolveLogger(dir: string, log: string): string {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  return register;
}

it('lb serve loads the balancer and the CLI’s command table, no other command’s code', async () => {
  const dir = tempDir('portico-serve-modules-');
  const log = join(dir, 'modules.txt');
  const up = await startUpstream('u');
  const port = await freePort();
  const child = spawnTracked(
    process.execPath,
    [
      '--import',
      resolveLogger(dir, log),
      join(dist, 'cli/main.js'),
      'lb',
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--upstream',
      `127.0.0.1:${up.port}`,
      '--no-admin',
    ],
    // No re-exec with heap flags: the hook is on this very process.
    { env: { ...process.env, PORTICO_NO_REEXEC: '1', PORTICO_HOME: dir } },
  );
  try {
    await waitFor(
      async () => {
        const r = await request(`http://127.0.0.1:${port}/`, { headersTimeout: 2000 });
        return (await r.body.text()) === 'u';
      },
      { what: 'lb serve to proxy', timeoutMs: 15_000 },
    );
    const folders = new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((url) => url.startsWith(pathToFileURL(dist).href))
        .map((url) => url.slice(pathToFileURL(dist).href.length).split('/')[0]),
    );
    // Command groups import their implementation inside each action (src/cli/groups.ts): lb
    // serve must not pay for ports, discovery, diagnose, exporters, the store… (memory: each
    // of the primary and the single-process balancer loads this set).
    expect([...folders].sort()).toEqual(['balancer', 'checks', 'cli', 'core', 'net']);
  } finally {
    await stopProcess(child);
  }
});
