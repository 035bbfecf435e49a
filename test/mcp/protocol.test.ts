import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Below the SDK: what the server writes on stdout must be JSON-RPC messages and nothing else, even
 * when a command warns (the database suite warns about a password in a URL) or a line is garbage.
 */
describe('portico mcp on the wire', () => {
  it('writes only JSON-RPC on stdout, logs on stderr, survives garbage, exits when stdin ends', async () => {
    const child = spawn(process.execPath, [cliPath, 'mcp'], {
      env: { ...process.env, PORTICO_HOME: tempDir(), NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const send = (message: unknown): void => {
      child.stdin.write(`${JSON.stringify(message)}\n`);
    };
    const lines = (): Array<{ id?: number; result?: unknown; error?: unknown }> =>
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    try {
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      child.stdin.write('this is not json\n');
      const port = await freePort();
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'troubleshoot',
          arguments: { suite: 'database', urls: [`postgres://app:secret@127.0.0.1:${port}/app`] },
        },
      });
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ports_who', arguments: {} } });
      await waitFor(() => lines().some((m) => m.id === 3) && lines().some((m) => m.id === 2), {
        timeoutMs: 30_000,
      });
      // Every stdout line parsed as JSON above; each one is a JSON-RPC message.
      for (const m of lines()) expect(m).toHaveProperty('jsonrpc', '2.0');
      expect(stderr).toContain('password');
      expect(stdout).not.toContain('warning:');
      const bad = lines().find((m) => m.id === 3) as { result: { isError: boolean } };
      expect(bad.result.isError).toBe(true);
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
