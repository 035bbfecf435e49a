import type { CommandContext } from '../../core/command-context.js';
import { ExitCode } from '../../core/exit-codes.js';
import { loadOrCreateDevCa, trustInstructions } from '../tls/dev-ca.js';

/** `portico lb ca`: create (once) and show the development CA, and how to trust it. */
export async function caCommand(ctx: CommandContext): Promise<number> {
  const ca = await loadOrCreateDevCa(ctx.env);
  const steps = trustInstructions(ca.certPath);
  ctx.out.result({ certificate: ca.certPath, key: ca.keyPath, created: ca.created, trust: steps }, () => {
    ctx.out.line(`${ca.created ? 'Created' : 'Using'} the Portico development CA: ${ca.certPath}`);
    ctx.out.line(`(its key, ${ca.keyPath}, never leaves this machine; keep it private)\n`);
    ctx.out.line('Trust it once so browsers and tools accept https://<name>.localhost from portico lb:');
    for (const s of steps) ctx.out.line(`  ${s}`);
  });
  return ExitCode.Ok;
}
