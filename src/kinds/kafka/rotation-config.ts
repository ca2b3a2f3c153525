import { z } from 'zod';

export const rotationSchema = z
  .strictObject({
    maxExcludedShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe("Most of a topic's partitions out of the rotation at once, as a share (one partition always stays in); asks beyond it wait, oldest first."),
    keyedFollowRotation: z
      .boolean()
      .default(false)
      .describe('Records with a key whose partition is out of the rotation go to a partition in it (false: they keep their partition, and its order).'),
  })
  .describe('Which partitions records without a key may go to (Kafka only): slow or failing partitions, and those another source excludes, are taken out.');

export const slowPartitionsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Take slow or failing partitions out of the rotation.'),
    latencyRatio: z
      .number()
      .min(1)
      .default(5)
      .describe("A partition is slow when its average produce latency is above this many times the median of the topic's other partitions..."),
    minLatencyMs: z.number().int().nonnegative().default(1000).describe('...and above this many milliseconds.'),
    maxErrors: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe('A partition is failing when this many produce requests to it failed (timed out, refused) within errorWindowMs.'),
    errorWindowMs: z.number().int().positive().default(10_000).describe('The window in which maxErrors is counted.'),
    probeIntervalMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('How often one send of records without a key goes to a partition out of the rotation; a healthy answer puts it back.'),
  })
  .describe('Produce latency and errors tracked per partition (Kafka only).');
