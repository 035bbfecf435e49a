/** The health-check library: run one check, or schedule many with rise/fall. */

export type { Probe, ProbeContext, ProbeOutcome, ProbeTarget, TtlReport } from './probe.js';
export { probeFor, probeKinds } from './probes/index.js';
export { type RunCheckOptions, runCheck } from './run-check.js';
export { type ScheduledCheck, Scheduler, type SchedulerOptions } from './scheduler.js';
export { advance, initialState, type MachineState } from './status-machine.js';
