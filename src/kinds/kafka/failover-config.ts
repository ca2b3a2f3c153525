import { z } from 'zod';
import { kafkaTransportSchema } from '../../transport/schema.js';

export const failoverSchema = kafkaTransportSchema
  .omit({ type: true })
  .extend({
    maxShare: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe('Most of the records offered in the last 10 s that go to the secondary cluster while the breaker is open; the rest wait (a waiting record is offered again on each retry), never dropped.'),
    failureRate: z.number().gt(0).max(1).default(0.5).describe('The breaker opens when this share of the calls to the primary cluster in the last 10 s (ten 1-second buckets) failed...'),
    minCalls: z.number().int().positive().default(5).describe('...and those 10 s hold at least this many calls.'),
    callTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('A write the primary has not acknowledged for this long counts as a failed call, and again each time as long again passes (a stopped cluster makes sends wait, not fail).'),
    openMs: z.number().int().positive().default(5000).describe('How long the breaker stays open before it lets probe writes go to the primary cluster (half-open).'),
    halfOpenCalls: z.number().int().positive().default(3).describe('Probe writes acknowledged in a row that close the breaker; one failed probe opens it again.'),
    waitMs: z.number().int().positive().default(100).describe('How long a write waits before it tries again when the breaker is open and the secondary has taken its share.'),
  })
  .describe('A secondary Kafka cluster behind a circuit breaker: while the primary fails, records go there (capped share); nothing acknowledged is lost in either move.');

export type FailoverConfig = z.output<typeof failoverSchema>;
