import { z } from 'zod';
import type { RestartType, Strategy } from './types.js';

/** Restart type of a child, see `RestartType`. */
export const restartTypeSchema = z
  .enum(['permanent', 'transient', 'temporary'] as const satisfies readonly RestartType[])
  .describe(
    'When a child is restarted: permanent = always, transient = only after an abnormal exit (error), temporary = never',
  );

/** Restart strategy, see `Strategy`. */
export const strategySchema = z
  .enum(['one_for_one', 'one_for_all', 'rest_for_one'] as const satisfies readonly Strategy[])
  .describe(
    'Which children are restarted when one fails: one_for_one = only it, one_for_all = all, rest_for_one = it and those started after it',
  );

/** Restart intensity (OTP `intensity`/`period`). */
export const intensitySchema = z
  .strictObject({
    maxRestarts: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('Maximum number of restarts allowed within periodMs; one more escalates'),
    periodMs: z
      .number()
      .int()
      .positive()
      .default(60_000)
      .describe('Length in milliseconds of the sliding window in which restarts are counted'),
  })
  .describe(
    'Restart intensity: more than maxRestarts restarts within periodMs stops the supervisor with an error (escalation to its parent)',
  );

/** Exponential backoff between restarts (Akka `BackoffSupervisor`). */
export const backoffSchema = z
  .strictObject({
    minMs: z
      .number()
      .min(0)
      .default(100)
      .describe(
        'Delay in milliseconds before the first restart; doubled for each consecutive restart',
      ),
    maxMs: z
      .number()
      .min(0)
      .default(30_000)
      .describe('Upper bound in milliseconds of the delay before jitter is applied'),
    jitter: z
      .number()
      .min(0)
      .default(0.2)
      .describe('Random extra delay as a fraction of the delay: delay * (1 + random * jitter)'),
    resetAfterMs: z
      .number()
      .min(0)
      .default(60_000)
      .describe(
        'A child that ran this long without failing starts its backoff from the minimum again',
      ),
  })
  .refine((b) => b.minMs <= b.maxMs, { message: 'minMs must not exceed maxMs', path: ['minMs'] })
  .describe('Exponential backoff before restarting a child');

/** Supervision settings of a supervisor, with OTP/Akka-style defaults. */
export const supervisionSchema = z
  .strictObject({
    strategy: strategySchema.default('one_for_one'),
    restart: restartTypeSchema
      .default('transient')
      .describe(
        'Restart type of the children (an actor\'s replicas). transient (default): restarted after a crash, not after a normal end (end of input, or input drained); permanent also restarts after a normal end, for sources that must run forever',
      ),
    intensity: intensitySchema.prefault({}),
    backoff: backoffSchema.prefault({}),
  })
  .describe('How a supervisor restarts its children');

/** Parsed supervision settings; assignable to the options of `Supervisor`. */
export type SupervisionConfig = z.infer<typeof supervisionSchema>;
