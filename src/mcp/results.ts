/**
 * The latest result of the tools whose answers are worth reading again as resources (a report an
 * agent wants to quote or compare, without running the checks a second time). Kept in memory for
 * the life of the server only: nothing is persisted.
 */
export const rememberedTools = ['health', 'troubleshoot', 'discovery_health', 'policy', 'report'] as const;
export type RememberedTool = (typeof rememberedTools)[number];

export interface Remembered {
  tool: RememberedTool;
  at: string;
  exitCode: number;
  arguments: Record<string, unknown>;
  result: unknown;
}

export class LastResults {
  private readonly byTool = new Map<RememberedTool, Remembered>();

  remember(tool: RememberedTool, args: Record<string, unknown>, exitCode: number, result: unknown): void {
    this.byTool.set(tool, { tool, at: new Date().toISOString(), exitCode, arguments: args, result });
  }

  get(tool: RememberedTool): Remembered | undefined {
    return this.byTool.get(tool);
  }
}
