import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { channelSchema } from '../streams/overflow.js';
import { supervisionSchema } from '../actors/supervision/schema.js';

/**
 * Delivery attempts per batch on a stage or sink. A throwing kind is restarted by its supervisor
 * (with the supervision backoff) and the batch is redelivered to a replica; after `maxAttempts`
 * the batch is dead-lettered with the last error as reason instead of being retried forever.
 */
export const retrySchema = z
  .strictObject({
    maxAttempts: z.number().int().positive().default(3).describe('Attempts per batch before it is dead-lettered with the last error as reason.'),
  })
  .describe('How often a failing batch is retried before it is dead-lettered.');
export type RetryConfig = z.infer<typeof retrySchema>;

const replicas = z
  .union([z.number().int().positive(), z.literal('auto')], { error: 'a positive whole number, or auto (one per core)' })
  .default(1)
  .describe(
    "Interchangeable replicas competing for this actor's input (a stage set). auto: one per core this process may use (os.availableParallelism()), resolved when the topology loads; `millrace validate` shows the number. On a source, a checkpoint is kept per replica, so a different core count starts replicas with no checkpoint of their own.",
  );

/** The replicas `replicas` asks for: `auto` is the number of cores this process may use. */
export function resolveReplicas(value: number | 'auto' | undefined): number {
  return value === 'auto' ? availableParallelism() : (value ?? 1);
}
const inputs = z.array(z.string().min(1)).min(1).describe('Ids of the actors whose output feeds this one.');

/** Where a stage's or sink's replicas run their kind (docs/decisions/runtime-core.md). */
export const isolationSchema = z
  .enum(['none', 'thread'])
  .default('none')
  .describe('thread: each replica runs its kind in a worker thread, so CPU-heavy work uses another core; batches are copied to the thread and results back (structured clone), which costs more than it gains for cheap per-record work. none: on the main thread.');

/** Fields every source has, besides its kind's own settings. */
export const sourceCommonShape = {
  kind: z.string().describe('Source kind.'),
  replicas,
  supervision: supervisionSchema.optional(),
};

/** Fields every stage has, besides its kind's own settings. */
export const stageCommonShape = {
  kind: z.string().describe('Stage kind.'),
  inputs,
  replicas,
  supervision: supervisionSchema.optional(),
  channel: channelSchema.optional(),
  retry: retrySchema.optional(),
  isolation: isolationSchema.optional(),
};

/** Fields every sink has; sinks whose kind takes no inputs (deadletter) omit `inputs`. */
export const sinkCommonShape = {
  ...stageCommonShape,
  kind: z.string().describe('Sink kind.'),
};
