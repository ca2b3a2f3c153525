import { z } from 'zod';

/** What a full channel does with a new batch (names as in Akka Streams, plus `fail`). */
export const overflowPolicySchema = z
  .enum(['backpressure', 'dropHead', 'dropNew', 'fail'])
  .describe(
    'What a full channel does: backpressure (wait; a slow consumer slows the producer), dropHead (drop the oldest queued batch), dropNew (drop the incoming batch), fail (error the producer). Every drop is counted.',
  );
export type OverflowPolicy = z.infer<typeof overflowPolicySchema>;

export const channelSchema = z
  .strictObject({
    maxRecords: z
      .number()
      .int()
      .positive()
      .default(2048)
      .describe('Capacity in records, counting queued and in-flight (leased) batches.'),
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024)
      .describe('Capacity in bytes, counting queued and in-flight batches.'),
    overflow: overflowPolicySchema.default('backpressure'),
  })
  .describe("Bounds of an actor's input channel.");
export type ChannelConfig = z.infer<typeof channelSchema>;
