import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { PorticoError } from '../core/errors.js';
import { toolError } from './run-command.js';

/**
 * The second lock on a tool that changes state (the first: it exists only under --allow-writes).
 * Without `confirm: true` the call does nothing and says what it would have done, so a model
 * has to ask its user and call again, rather than change a machine on its own initiative.
 */
export function refuseUnconfirmed(
  tool: string,
  args: { confirm?: boolean | undefined },
  wouldDo: string,
  log: NodeJS.WritableStream,
): CallToolResult | undefined {
  if (args.confirm === true) return undefined;
  return toolError(
    new PorticoError('E_USAGE', `${tool} changes state and needs confirm: true; nothing was done`, {
      hint: `It would ${wouldDo}. Ask the user, then call ${tool} again with "confirm": true.`,
      details: { tool, confirmRequired: true },
    }),
    log,
  );
}
