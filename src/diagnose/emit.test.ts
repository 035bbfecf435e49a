import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext } from '../core/command-context.js';
import { Output } from '../core/output.js';
import { emitReport } from './emit.js';
import type { CheckOutcome } from './finding.js';
import { buildReport } from './report.js';

const sink = (): Writable => new Writable({ write: (_c, _e, done) => done() });
/** A fresh context per report: --json allows one result per command. */
const ctx = (): CommandContext => ({
  out: new Output({ json: true, stdout: sink(), stderr: sink() }),
  env: {},
  signal: new AbortController().signal,
  cwd: '/',
  project: {},
});

function outcome(id: string, status: CheckOutcome['status']): CheckOutcome {
  return {
    id,
    category: 'connectivity',
    title: id,
    status,
    durationMs: 1,
    findings: [],
    notes: [],
    measurements: {},
  };
}

describe('the exit code of a report', () => {
  it('is 0 only when every check that ran passed or had nothing to look at', () => {
    const ok = buildReport('t', 'x', [outcome('a', 'passed'), outcome('b', 'skipped')], 1);
    expect(emitReport(ctx(), ok, {})).toBe(0);
  });
  it('is 1 when some checks could not run, even if the others passed', () => {
    for (const broken of ['error', 'timeout'] as const) {
      const report = buildReport('t', 'x', [outcome('a', 'passed'), outcome('b', broken)], 1);
      expect(emitReport(ctx(), report, {})).toBe(1);
    }
  });
  it('is 2 when no check could run', () => {
    const report = buildReport('t', 'x', [outcome('a', 'error')], 1);
    expect(emitReport(ctx(), report, {})).toBe(2);
  });
});
