import { action } from './action.js';
import type { Command } from './commander.js';

/** `portico demo [--once]` */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'start a sample stack on loopback (gateway, auth-service, orders ×2, payments) with planted faults and show what Portico finds',
    )
    .option('--once', 'start it, print the health report, and tear it down (exit 1: the faults are planted)')
    .addHelpText(
      'after',
      `
Ports come from Portico's reservations (project portico-demo); Ctrl-C stops and removes everything.`,
    )
    .action(action(async (ctx, opts) => (await import('../demo/command.js')).demoCommand(ctx, opts)));
}
