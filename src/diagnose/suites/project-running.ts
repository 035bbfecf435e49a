import { basename, relative } from 'node:path';
import type { ComposeProject } from '../../compose/model.js';
import type { Check } from '../finding.js';

/** Compose reads these without -f; any other file name must be named on the command line. */
const defaultFiles = new Set(['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml']);

/**
 * Whether the compose project is up at all. When nothing listens on any fixed TCP host port the
 * project publishes, every probe of its services fails the same way, and a report of twenty
 * refused connections hides the one thing to do: start it. This check says that first, with
 * what Docker knows of the project's containers (a container that exited is named with its
 * status). Docker's published ports normally have a listener here (docker-proxy); with the
 * userland proxy off they have none, so running containers of the project make this pass, and
 * without an engine the finding says their state is unknown rather than guessing.
 */
export function projectRunningCheck(): Check {
  return {
    id: 'docker.project-running',
    category: 'docker',
    title: 'Compose project is running',
    async run(ctx) {
      const project = await ctx.facts.compose();
      if (!project) {
        ctx.skip('no compose file here');
        return [];
      }
      const published = project.services.flatMap((s) =>
        s.ports
          .filter((p) => p.protocol === 'tcp' && p.hostPort !== undefined)
          .map((p) => ({ service: s.name, port: p.hostPort! })),
      );
      if (published.length === 0) {
        ctx.skip(`project ${project.name} publishes no fixed TCP host port`);
        return [];
      }
      const { listeners } = await ctx.facts.listeners();
      const listening = published.filter((p) =>
        listeners.some((l) => l.protocol === 'tcp' && l.port === p.port),
      );
      const ports = [...new Set(published.map((p) => p.port))];
      if (listening.length > 0) {
        ctx.step('published ports with a listener', {
          ok: true,
          detail: `${new Set(listening.map((p) => p.port)).size} of ${ports.length}`,
        });
        return [];
      }
      const docker = await ctx.facts.docker();
      const containers = docker
        ? await docker.listContainers({
            all: true,
            filters: { label: [`com.docker.compose.project=${project.name}`] },
          })
        : undefined;
      const running = containers?.filter((c) => c.State === 'running') ?? [];
      if (running.length > 0) {
        ctx.step('containers of the project running', { ok: true, detail: `${running.length}` });
        return [];
      }
      ctx.step('published ports with a listener', { ok: false, detail: `none of ${ports.length}` });
      const services = [...new Set(published.map((p) => p.service))];
      const stopped = (containers ?? []).map(
        (c) =>
          `${c.Labels['com.docker.compose.service'] ?? (c.Names[0] ?? c.Id).replace(/^\//, '')}: ${c.Status}`,
      );
      const evidence = [
        `nothing listens on any of the ${ports.length} TCP host port(s) it publishes: ${ports.join(', ')} (${services.join(', ')})`,
        containers === undefined
          ? 'no Docker engine answers here, so whether its containers run is unknown'
          : containers.length === 0
            ? `Docker has no container of project ${project.name} (docker ps -a --filter label=com.docker.compose.project=${project.name})`
            : `Docker has ${containers.length} container(s) of project ${project.name}, none running: ${stopped.join('; ')}`,
      ];
      // The user's shell, not -C's folder: the line is to be pasted where they typed the command.
      const here = process.cwd() === project.workingDir ? '' : `cd ${shellWord(project.workingDir)} && `;
      return [
        {
          code: 'PROJECT_NOT_RUNNING',
          severity: 'error',
          title:
            containers === undefined
              ? `project ${project.name} does not seem to be running: nothing listens on any of its published ports`
              : `project ${project.name} is not running: nothing listens on any of its published ports`,
          evidence,
          why: 'Every probe of its services is refused until the project is started: those failures have this one cause, not one each.',
          fix:
            stopped.length > 0
              ? `See why its containers stopped (${here}${compose(project)} logs), then start it: ${here}${compose(project)} up -d`
              : `Start it: ${here}${compose(project)} up -d — then run portico health again.`,
          data: { project: project.name, ports, containers: containers?.length ?? null },
        },
      ];
    },
  };
}

/** The `docker compose` command line for this project: its files and enabled profiles. */
function compose(project: ComposeProject): string {
  const files =
    project.files.length === 1 && defaultFiles.has(basename(project.files[0]!))
      ? []
      : project.files.map((f) => `-f ${shellWord(relative(project.workingDir, f) || f)}`);
  const profiles = project.profiles.map((p) => `--profile ${p}`);
  return ['docker compose', ...files, ...profiles].join(' ');
}

/** A path as one shell word: as it is when nothing in it is special, else in single quotes. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
