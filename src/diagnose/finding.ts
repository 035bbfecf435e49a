import type { FindingCode } from './codes.js';

export type Severity = 'error' | 'warning' | 'info';

/** What a check found: stable code, what was seen, why it matters, how to fix it. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** One line, specific: "auth-service:3001 refused the connection". */
  title: string;
  /** What was observed, as facts a user can verify (commands, addresses, numbers). */
  evidence: string[];
  why: string;
  fix: string;
  /** Structured facts for --json consumers. */
  data?: Record<string, unknown>;
}

export type Category =
  | 'ports'
  | 'connectivity'
  | 'api-gateway'
  | 'database'
  | 'docker'
  | 'performance'
  | 'security'
  | 'service-checks';

export interface CheckContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Aborted at the check's timeout. */
  signal: AbortSignal;
  /** Shared, cached facts (listeners, compose project, catalog) so checks don't redo I/O. */
  facts: import('./facts.js').Facts;
  /** Free-form step output for checks that time their steps (connectivity). */
  note: (text: string) => void;
  /** A measured number for summaries (latency p50, requests per second). */
  measure: (name: string, value: number) => void;
  /**
   * There was nothing to look at (no Docker engine, no compose file): the check reports itself
   * as skipped with this reason instead of passing, so a clean report never overstates coverage.
   */
  skip: (reason: string) => void;
  /**
   * Record a step the check ran (resolve, connect, handshake, request, read, parse) and whether
   * it succeeded. The runner, not the check, decides the outcome from these: a check passes only
   * if it ran at least one step and every step succeeded (see `judgeOutcome` in runner.ts).
   */
  step: (name: string, result: StepResult) => void;
}

/** How one step ended: `ok`, or failed with what was seen. */
export type StepResult = { ok: true; detail?: string } | { ok: false; detail: string };

export type { StepRecord } from '../net/steps.js';

/** One diagnostic step. */
export interface Check {
  /** Stable id, e.g. "connectivity.tcp". */
  id: string;
  category: Category;
  title: string;
  /** Per-check time limit. */
  timeoutMs?: number;
  run(ctx: CheckContext): Promise<Finding[]>;
}

export interface CheckOutcome {
  id: string;
  category: Category;
  title: string;
  status: 'passed' | 'findings' | 'skipped' | 'error' | 'timeout';
  durationMs: number;
  findings: Finding[];
  notes: string[];
  measurements: Record<string, number>;
  /** The steps the check ran, in order (reads of shared facts included). */
  steps?: import('../net/steps.js').StepRecord[];
  error?: string;
  /** Why a skipped check had nothing to look at. */
  skipped?: string;
}
