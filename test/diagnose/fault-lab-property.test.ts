import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckSpec } from '../../src/checks/define.js';
import type { Probe } from '../../src/checks/probe.js';
import { probeFor, probeKinds } from '../../src/checks/probes/index.js';
import { runCheck } from '../../src/checks/run-check.js';
import type { CheckDefinition, HealthStatus } from '../../src/core/model.js';
import type { Facts } from '../../src/diagnose/facts.js';
import { Facts as RealFacts } from '../../src/diagnose/facts.js';
import type { Check, Finding, Severity } from '../../src/diagnose/finding.js';
import { runChecks } from '../../src/diagnose/runner.js';
import { connectivityChecks } from '../../src/diagnose/suites/connectivity.js';
import { observeStep } from '../../src/net/steps.js';
import {
  type HttpFault,
  httpFaultServer,
  type SocketFault,
  socketFaultServer,
} from '../helpers/fault-servers.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * "No false pass, by construction": whatever a check or probe does or claims, the framework
 * never reports it passed when one of its steps failed, nor when it ran no step at all.
 */
const stepArb = fc.record({
  name: fc.constantFrom('resolve', 'connect', 'tls', 'request', 'read', 'parse'),
  ok: fc.boolean(),
});
const findingArb = fc.constantFrom<Severity>('error', 'warning', 'info');

/** A fake facts object whose reads succeed or fail as told (the runner records them as steps). */
function fakeFacts(): Facts {
  return {
    listeners: async () => ({ listeners: [] }),
    compose: async () => {
      throw new Error('compose file unreadable');
    },
  } as unknown as Facts;
}

function syntheticCheck(plan: {
  steps: Array<{ name: string; ok: boolean }>;
  findings: Severity[];
  skip: boolean;
  throws: boolean;
  readsFacts: 'none' | 'ok' | 'fail';
  /** A network exchange that succeeded, seen by the primitives (no ctx.step of its own). */
  observes: boolean;
}): Check {
  return {
    id: 'property:synthetic',
    category: 'connectivity',
    title: 'synthetic',
    timeoutMs: 2000,
    async run(ctx) {
      if (plan.observes) observeStep('TCP connect 127.0.0.1:1');
      if (plan.readsFacts === 'ok') await ctx.facts.listeners();
      if (plan.readsFacts === 'fail') await ctx.facts.compose().catch(() => undefined);
      for (const s of plan.steps) ctx.step(s.name, s.ok ? { ok: true } : { ok: false, detail: 'failed' });
      if (plan.skip) ctx.skip('nothing here');
      if (plan.throws) throw new Error('bug');
      return plan.findings.map(
        (severity): Finding => ({ code: 'HTTP_5XX', severity, title: 't', evidence: [], why: 'w', fix: 'f' }),
      );
    },
  };
}

describe('property: the diagnose runner never passes a check with a failed step', () => {
  it('holds for random step outcomes, findings, skips, crashes and fact reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          steps: fc.array(stepArb, { maxLength: 6 }),
          findings: fc.array(findingArb, { maxLength: 3 }),
          skip: fc.boolean(),
          throws: fc.boolean(),
          readsFacts: fc.constantFrom('none' as const, 'ok' as const, 'fail' as const),
          observes: fc.boolean(),
        }),
        async (plan) => {
          const [o] = await runChecks([syntheticCheck(plan)], {
            cwd: '/',
            env: {},
            facts: fakeFacts(),
            signal: new AbortController().signal,
          });
          const anyFailed = plan.steps.some((s) => !s.ok) || plan.readsFacts === 'fail';
          const ranSteps = plan.steps.length > 0 || plan.readsFacts !== 'none' || plan.observes;
          if (o!.status === 'passed') {
            expect(anyFailed).toBe(false);
            expect(ranSteps).toBe(true);
            expect(o!.findings).toEqual([]);
            expect(o!.steps!.every((s) => s.ok)).toBe(true);
          }
          if (anyFailed && o!.status === 'findings')
            expect(o!.findings.some((f) => f.severity !== 'info')).toBe(true);
          if (anyFailed) expect(o!.status).not.toBe('passed');
          if (!ranSteps && !plan.skip) expect(o!.status).not.toBe('passed');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('property: runCheck never reports passing after a failed probe step, for every probe kind', () => {
  const originals = new Map<Probe<CheckDefinition>, Probe<CheckDefinition>['run']>();
  afterAll(() => {
    for (const [probe, run] of originals) probe.run = run;
  });

  it('holds for random steps and whatever status the probe claims', async () => {
    const probes = await Promise.all(probeKinds.map((k) => probeFor(k)));
    for (const p of probes) originals.set(p, p.run);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...probeKinds),
        fc.array(stepArb, { maxLength: 6 }),
        fc.constantFrom<HealthStatus>('passing', 'warning', 'critical'),
        async (kind, steps, claimed) => {
          const probe = probes[probeKinds.indexOf(kind)]!;
          probe.run = async () => ({ status: claimed, output: 'claimed', steps });
          const check = { kind, id: 'p', timeoutMs: 1000 } as unknown as CheckDefinition;
          const r = await runCheck(check, { address: '127.0.0.1', port: 1 });
          if (steps.some((s) => !s.ok)) expect(r.status).not.toBe('passing');
          else expect(r.status).toBe(claimed);
        },
      ),
      { numRuns: 300 },
    );
    for (const [probe, run] of originals) probe.run = run;
  });
});

describe('property: real faults never pass, the healthy server always does', () => {
  const socketFaults: SocketFault[] = [
    'rst-at-accept',
    'fin-at-accept',
    'fin-after-request',
    'rst-after-request',
    'silent',
    'garbage',
    'rst-mid-body',
    'fin-mid-body',
    'healthy',
  ];
  const httpFaults: HttpFault[] = ['status-404', 'status-503', 'redirect-loop', 'healthy'];
  type Fault = { server: 'socket'; fault: SocketFault } | { server: 'http'; fault: HttpFault };
  const ports = new Map<string, Promise<number>>();
  const portOf = (f: Fault): Promise<number> => {
    const key = `${f.server}:${f.fault}`;
    let p = ports.get(key);
    if (!p) {
      p = f.server === 'socket' ? socketFaultServer(f.fault) : httpFaultServer(f.fault);
      ports.set(key, p);
    }
    return p;
  };
  const faultArb = fc.oneof(
    fc.constantFrom(...socketFaults).map((fault): Fault => ({ server: 'socket', fault })),
    fc.constantFrom(...httpFaults).map((fault): Fault => ({ server: 'http', fault })),
  );

  it('connectivity checks and http probes pass exactly when the server is healthy', async () => {
    const env = { PORTICO_HOME: tempDir() };
    await fc.assert(
      fc.asyncProperty(faultArb, async (f) => {
        const port = await portOf(f);
        const path = f.fault === 'redirect-loop' ? '/a' : '/';
        const facts = new RealFacts({ cwd: '/', env });
        const checks = await connectivityChecks(`http://127.0.0.1:${port}${path}`, facts, {
          timeoutMs: 600,
        });
        const [o] = await runChecks(checks, { cwd: '/', env, facts, signal: new AbortController().signal });
        const codes = JSON.stringify(o!.findings.map((x) => x.code));
        expect(o!.status === 'passed', `${f.fault}: ${o!.status} ${codes}`).toBe(f.fault === 'healthy');
        // A health probe does not follow redirects: a 3xx is in its default expected range.
        if (f.fault === 'redirect-loop') return;
        const r = await runCheck(
          { ...parseCheckSpec(`http:${path}`), timeoutMs: 600 },
          { address: '127.0.0.1', port },
        );
        expect(r.status === 'passing', `${f.fault}: ${r.output}`).toBe(f.fault === 'healthy');
      }),
      { numRuns: 24 },
    );
  }, 60_000);
});
