import { z } from 'zod';

/** How a stop drains (top-level `drain:` of a topology). */
export const drainSchema = z
  .strictObject({
    deadlineMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        'How long a stop (SIGINT/SIGTERM) may drain before the run ends without waiting for the rest: exit code 3, and what was not acknowledged is read again on the next run. Absent: drain until everything is delivered (a second signal still exits at once).',
      ),
    progressEveryMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('While draining, how often the records still queued or in flight are logged, per channel.'),
  })
  .describe('How a stop drains: progress logging and an optional deadline.');
export type DrainConfig = z.infer<typeof drainSchema>;
