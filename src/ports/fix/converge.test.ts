import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadComposeProject } from '../../compose/load.js';
import type { ComposeProject } from '../../compose/model.js';
import { findConflicts } from '../conflicts/find.js';
import { converge } from './converge.js';
import { replaceComposeHostPort } from './edit-compose.js';
import { editEnvValue } from './edit-env.js';
import { createOverlay } from './overlay.js';
import type { FixProposal, PlannedEdit } from './plan.js';
import { type CheckRun, overlayRecheck } from './recheck.js';
import { mappingKey } from './references.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const compose = [
  'services:',
  '  web:',
  '    ports: ["${WEB_PORT}:80"]',
  '  admin:',
  '    ports: ["${WEB_PORT}:8080"]',
  '',
].join('\n');

/** The conflict finder on the real loader, without listeners: only the project's own conflicts. */
const check: CheckRun = async (where, files) => {
  const project = await loadComposeProject({ files, cwd: where.cwd, env: where.env });
  return { project, conflicts: findConflicts({ project, listeners: [], reservations: [] }) };
};

async function sharedVariableProject(): Promise<ComposeProject> {
  dir = mkdtempSync(join(tmpdir(), 'portico-converge-'));
  writeFileSync(join(dir, 'compose.yaml'), compose);
  writeFileSync(join(dir, '.env'), 'WEB_PORT=18090\n');
  return loadComposeProject({ cwd: dir, env: {} });
}

function editFor(project: ComposeProject, file: string, apply: PlannedEdit['apply']): PlannedEdit {
  const port = project.services.find((s) => s.name === 'admin')!.ports[0]!;
  const proposal: FixProposal = {
    service: 'admin',
    containerPort: 8080,
    protocol: 'tcp',
    oldPort: 18090,
    newPort: 20001,
    mapping: 'compose.yaml:5',
    status: 'converges',
    conflicts: ['compose-duplicate'],
  };
  return { proposal, key: mappingKey(port.origin), port, file, apply };
}

describe('converge', () => {
  it('drops an edit that moves the shared variable: the re-check still finds the duplicate', async () => {
    const project = await sharedVariableProject();
    const conflicts = findConflicts({ project, listeners: [], reservations: [] });
    expect(conflicts.map((c) => c.kind)).toEqual(['compose-duplicate']);
    const naive = editFor(project, join(dir!, '.env'), (t) => editEnvValue(t, 'WEB_PORT', '20001', '18090'));
    const recheck = overlayRecheck({ env: {}, cwd: dir!, files: undefined }, check);

    const result = await converge(
      project,
      conflicts,
      { proposals: [naive.proposal], edits: [naive] },
      recheck,
    );
    expect(naive.proposal.status).toBe('not-converging');
    expect(naive.proposal.manual).toContain('not fixed: the re-check still finds a conflict on port 20001');
    expect(result.files.size).toBe(0);
    expect(result.remaining.map((c) => c.port)).toEqual([18090]);
    expect(readFileSync(join(dir!, '.env'), 'utf8')).toBe('WEB_PORT=18090\n');
  });

  it('keeps an edit that moves only its own mapping, and reports no conflict left', async () => {
    const project = await sharedVariableProject();
    const conflicts = findConflicts({ project, listeners: [], reservations: [] });
    const origin = project.services.find((s) => s.name === 'admin')!.ports[0]!.origin;
    const good = editFor(project, join(dir!, 'compose.yaml'), (t) => {
      const r = replaceComposeHostPort(t, origin, '${ADMIN_PORT:-20001}');
      return typeof r === 'string' ? r : undefined;
    });
    const recheck = overlayRecheck({ env: {}, cwd: dir!, files: undefined }, check);

    const result = await converge(project, conflicts, { proposals: [good.proposal], edits: [good] }, recheck);
    expect(good.proposal.status).toBe('converges');
    expect(result.remaining).toEqual([]);
    expect(result.files.get(join(dir!, 'compose.yaml'))?.after).toBe(
      compose.replace('"${WEB_PORT}:8080"', '"${ADMIN_PORT:-20001}:8080"'),
    );
    // Planning and re-checking wrote nothing next to the user's files.
    expect(readFileSync(join(dir!, 'compose.yaml'), 'utf8')).toBe(compose);
  });
});

describe('createOverlay', () => {
  it('reads edited files with their new text and every other path as the original, then goes away', () => {
    dir = mkdtempSync(join(tmpdir(), 'portico-overlay-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.yaml'), 'old');
    writeFileSync(join(dir, 'sub', 'b.yaml'), 'kept');
    const overlay = createOverlay(new Map([[join(dir, 'a.yaml'), 'new']]));
    try {
      expect(readFileSync(overlay.map(join(dir, 'a.yaml')), 'utf8')).toBe('new');
      expect(readFileSync(overlay.map(join(dir, 'sub', 'b.yaml')), 'utf8')).toBe('kept');
      expect(overlay.unmap(overlay.map(join(dir, 'a.yaml')))).toBe(join(dir, 'a.yaml'));
    } finally {
      overlay.dispose();
    }
    expect(existsSync(overlay.root)).toBe(false);
    expect(readFileSync(join(dir, 'a.yaml'), 'utf8')).toBe('old');
    expect(readFileSync(join(dir, 'sub', 'b.yaml'), 'utf8')).toBe('kept');
  });
});
