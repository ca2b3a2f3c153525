/** Process exit codes of the `millrace` command (documented in the README). */
export const ExitCode = {
  /** The command did what was asked; a run drained and stopped cleanly. */
  ok: 0,
  /** The topology failed at run time: a supervisor exceeded its restart intensity. */
  runtimeFailure: 1,
  /** Bad usage, an invalid topology file (every error is printed), a setting found unusable at start (a module that cannot load), or an embedded log another run holds. */
  invalid: 2,
  /** A stop did not finish draining within the topology's `drain.deadlineMs`; what was not acknowledged is read again on the next run. */
  drainDeadline: 3,
  /** A second SIGINT/SIGTERM ended the run without draining. */
  forced: 130,
} as const;
