// A private Docker engine for a test run or a benchmark: its own data root, socket and pid file,
// no iptables, no default bridge, so nothing leaks onto the host network. Plain JavaScript so the
// benchmarks (run with node, not vitest) can use it too.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

export const testImage = 'local/busybox:latest';

/**
 * @returns {Promise<{ dir: string, socket: string, pid: number, stop(): Promise<void> }>}
 */
export async function startTestEngine() {
  const dir = mkdtempSync(join(tmpdir(), 'portico-dockerd-'));
  const socket = join(dir, 'docker.sock');
  const log = join(dir, 'dockerd.log');
  const child = spawn(
    'sh',
    [
      '-c',
      `exec dockerd --data-root ${dir}/data --exec-root ${dir}/exec -H unix://${socket} --pidfile ${dir}/dockerd.pid --iptables=false --ip-forward=false --bridge=none >${log} 2>&1`,
    ],
    { stdio: 'ignore' },
  );
  const pid = /** @type {number} */ (child.pid);
  const docker = new Docker({ socketPath: socket, timeout: 5000 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await docker.ping();
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`dockerd did not start; see ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await importBusybox(docker, dir);
  return {
    dir,
    socket,
    pid,
    async stop() {
      await removeEverything(docker);
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        try {
          process.kill(pid, 0);
          await new Promise((r) => setTimeout(r, 100));
        } catch {
          break;
        }
      }
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      // Overlay mounts are gone after a clean dockerd exit; unmount leftovers before rm.
      try {
        execFileSync('sh', ['-c', `grep -o ' ${dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l`]);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** No registry is reachable: build a tiny image from the host's static busybox. */
async function importBusybox(docker, dir) {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'tmp', 'www']) mkdirSync(join(rootfs, d), { recursive: true });
  writeFileSync(join(rootfs, 'www', 'index.html'), 'ok\n');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (!busybox) throw new Error('busybox-static is not installed');
  execFileSync('cp', [busybox, join(rootfs, 'bin', 'busybox')]);
  for (const applet of execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (applet !== 'busybox' && !existsSync(join(rootfs, 'bin', applet)))
      symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  const tar = join(dir, 'busybox.tar');
  execFileSync('tar', ['-C', rootfs, '-cf', tar, '.']);
  const stream = await docker.importImage(
    tar,
    /** @type {any} */ ({ repo: 'local/busybox', tag: 'latest', changes: ['CMD ["/bin/sh"]'] }),
  );
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))),
  );
}

async function removeEverything(docker) {
  try {
    const containers = await docker.listContainers({ all: true });
    await Promise.all(
      containers.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {}),
      ),
    );
    const networks = await docker.listNetworks();
    await Promise.all(
      networks
        .filter((n) => !['bridge', 'host', 'none'].includes(n.Name))
        .map((n) =>
          docker
            .getNetwork(n.Id)
            .remove()
            .catch(() => {}),
        ),
    );
  } catch {}
}
