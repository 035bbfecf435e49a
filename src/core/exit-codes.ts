/** Exit codes shared by every command: CI pipelines branch on these. */
export const ExitCode = {
  /** Everything checked is healthy / the command did what was asked. */
  Ok: 0,
  /** The command ran and found problems (conflicts, failing checks, findings over threshold). */
  Problems: 1,
  /** Usage error or runtime error: the command could not do its job. */
  Error: 2,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
