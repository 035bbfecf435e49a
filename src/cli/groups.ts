import type { Command } from 'commander';
import { registerAgent } from './agent.js';
import { registerCluster } from './cluster.js';
import { registerDemo } from './demo.js';
import { registerDiscovery } from './discovery.js';
import { registerLb } from './lb.js';
import { registerMcp } from './mcp.js';
import { registerPolicy } from './policy.js';
import { registerPorts } from './ports.js';
import { registerReport } from './report.js';
import { registerHealth, registerTroubleshoot } from './troubleshoot.js';

/**
 * Every command group, in help order. A group module registers its commands and imports its
 * implementation lazily inside each action, so `portico ports` never loads the balancer.
 */
export const commandGroups: Array<(program: Command) => void> = [
  registerPorts,
  registerDiscovery,
  registerLb,
  registerTroubleshoot,
  registerHealth,
  registerDemo,
  registerPolicy,
  registerReport,
  registerAgent,
  registerMcp,
  registerCluster,
];
