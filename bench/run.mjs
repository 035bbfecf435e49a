#!/usr/bin/env node
// Runs each area's benchmark (bench/<area>/run.mjs) in turn; `npm run bench -- <area>…` picks some.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const areas = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'run.mjs')))
  .map((d) => d.name);
const wanted = process.argv.slice(2);
const unknown = wanted.filter((a) => !areas.includes(a));
if (unknown.length > 0) {
  console.error(`unknown benchmark area: ${unknown.join(', ')} (have: ${areas.join(', ')})`);
  process.exit(2);
}
let failed = 0;
for (const area of wanted.length > 0 ? wanted : areas) {
  console.log(`\n=== bench: ${area} ===`);
  const r = spawnSync(process.execPath, [join(here, area, 'run.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
