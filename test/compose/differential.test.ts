import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadComposeProject } from '../../src/compose/load.js';
import { describeWith } from '../helpers/requirements.js';
import { composeFields, corpus, diffFields, porticoFields } from './corpus.js';

const run = promisify(execFile);
const cases = corpus();

/**
 * Portico's resolved model against `docker-compose config` (1.29, no engine needed), field by
 * field: services, active set, published ports (host IP, host port, container port, protocol),
 * healthchecks, environment, image. Target: 0 differing fields. Cases using what compose 1.29
 * lacks (include:, name:, nested defaults, ${VAR:+alt}, host_ip in long ports, env_file long
 * form, !reset) are checked against the compose specification's wording instead (see their
 * case.json "reason").
 */
describeWith(['docker-compose'], 'differential: Portico vs docker-compose config', () => {
  const totals = { runs: 0, compared: 0, differing: 0 };
  afterAll(() => {
    // The corpus size and the differing-field count, for the report.
    console.info(
      `compose differential: ${cases.length} corpus cases (${cases.filter((c) => c.compose !== false).length} against docker-compose config in ${totals.runs} runs, the others against the spec), ${totals.compared} fields compared, ${totals.differing} differing`,
    );
  });

  for (const c of cases.filter((x) => x.compose !== false)) {
    for (const r of c.runs ?? [{}]) {
      const profiles = r.profiles ?? [];
      const env = { ...c.env, ...r.env };
      it(`${c.name} ${JSON.stringify(r)}: ${c.description}`, async () => {
        const fileArgs = (c.files ?? []).flatMap((f) => ['-f', f]);
        const profileArgs = profiles.flatMap((p) => ['--profile', p]);
        const { stdout, stderr } = await run('docker-compose', [...fileArgs, ...profileArgs, 'config'], {
          cwd: c.dir,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
          timeout: 60_000,
        });
        const project = await loadComposeProject({
          files: c.files,
          cwd: c.dir,
          env,
          ...(r.profiles ? { profiles } : {}),
        });
        const enabled = r.profiles ?? (env.COMPOSE_PROFILES ?? '').split(',').filter(Boolean);
        // Unset variables: compose warns on stderr, Portico in `warnings`; compared by name.
        const unset = (text: string): Record<string, string> =>
          Object.fromEntries(
            [...text.matchAll(/The "?(\w+)"? variable is not set/g)].map((m) => [`unset.${m[1]}`, 'warned']),
          );
        const { compared, differences } = diffFields(
          { ...porticoFields(project), '(warnings)': unset(project.warnings.join('\n')) },
          { ...composeFields(parse(stdout), enabled), '(warnings)': unset(stderr) },
        );
        totals.runs++;
        totals.compared += compared;
        totals.differing += differences.length;
        expect(compared).toBeGreaterThan(0);
        expect(differences).toEqual([]);
      }, 90_000);
    }
  }
});

describe('the field comparison', () => {
  it('finds a differing port, a missing service and an extra field', () => {
    const a = { web: { active: 'true', 'ports[|8080|80|tcp]': '1' }, db: { active: 'true' } };
    const b = { web: { active: 'true', 'ports[|8081|80|tcp]': '1' } };
    expect(diffFields(a, b)).toEqual({
      compared: 4,
      differences: [
        'web.ports[|8080|80|tcp]: portico=1 compose=undefined',
        'web.ports[|8081|80|tcp]: portico=undefined compose=1',
        'db: only in Portico',
      ],
    });
    expect(diffFields(a, a).differences).toEqual([]);
  });
});

describe('cases compose 1.29 cannot read: checked against the compose specification', () => {
  for (const c of cases.filter((x) => x.compose === false)) {
    it(`${c.name}: ${c.description}`, async () => {
      expect(c.reason).toBeTruthy();
      const project = await loadComposeProject({ files: c.files, cwd: c.dir, env: c.env ?? {} });
      if (c.expect?.name) expect(project.name).toBe(c.expect.name);
      expect(project.services.map((s) => s.name).sort()).toEqual(
        Object.keys(c.expect?.services ?? {}).sort(),
      );
      for (const [name, want] of Object.entries(c.expect?.services ?? {})) {
        const svc = project.services.find((s) => s.name === name)!;
        if (want.ports) {
          expect(
            svc.ports.map((p) => [p.hostIp ?? '', p.hostPort, p.containerPort, p.protocol]),
            `${name} ports`,
          ).toEqual(want.ports);
        }
        if (want.environment) expect(svc.environment, `${name} environment`).toEqual(want.environment);
      }
    });
  }
});
