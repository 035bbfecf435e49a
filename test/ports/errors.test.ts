import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPortico } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const fixtures = fileURLToPath(new URL('../fixtures/compose/', import.meta.url));
const env = { PORTICO_HOME: tempDir() };

describe('bad input gets a coded error and exit 2, never a stack trace', () => {
  it.each([
    [['ports', 'check', '-f', 'broken/bad-yaml.yaml'], 'E_COMPOSE_PARSE', 'bad-yaml.yaml:6:'],
    [['ports', 'check', '-f', 'broken/bad-port.yaml'], 'E_COMPOSE_PORT_INVALID', '70000 is outside 1-65535'],
    [
      ['ports', 'check', '-f', 'override/docker-compose.yml', '--service', 'auth'],
      'E_COMPOSE_SERVICE_UNKNOWN',
      'no service "auth"',
    ],
    [['ports', 'who', '70000'], 'E_PORT_INVALID', 'port "70000" is not a valid port'],
    [['ports', 'check', 'http'], 'E_PORT_INVALID', 'port "http"'],
    [['ports', 'free', '--range', '9000-8000'], 'E_PORT_RANGE_INVALID', 'ends before it starts'],
    [['ports', 'reserve', 'bad name!'], 'E_USAGE', 'not a valid reservation name'],
    [['ports', 'kill', '1', '--signal', 'SIGNOPE'], 'E_USAGE', 'unknown signal'],
    [['ports', 'check', '-f', 'nope.yaml'], 'E_FILE_NOT_FOUND', 'nope.yaml does not exist'],
  ])('%j → %s', async (args, code, message) => {
    const r = await runPortico(args, { cwd: fixtures, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`[${code}]`);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    const json = await runPortico([...args, '--json'], { cwd: fixtures, env });
    expect(json.json<{ ok: boolean; error: { code: string } }>()).toMatchObject({
      ok: false,
      error: { code },
    });
  });

  it('rejects an unknown subcommand argument with exit 2', async () => {
    const r = await runPortico(['ports', 'who'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'port'");
  });
});
