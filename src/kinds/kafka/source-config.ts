import { z } from 'zod';
import { kafkaTransportSchema } from '../../transport/schema.js';
import { valueEncodingSchema } from './encoding.js';
import { isRegExp } from '../../core/reg-exp.js';

export const kafkaSourceConfig = z
  .strictObject({
    group: z.string().min(1).optional().describe('Consumer group id; defaults to the actor id. Replicas, and other millrace processes with the same group, share the partitions.'),
    topics: z.array(z.string().min(1)).min(1).optional().describe('Topics to consume (or give topicPattern).'),
    topicPattern: z
      .string()
      .min(1)
      .refine(isRegExp, 'not a valid regular expression')
      .optional()
      .describe('Regular expression of the topics to consume, matched against the topics that exist; topics created later are picked up within topicRefreshMs.'),
    topicRefreshMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('topicPattern: how often the topics are listed again to find new ones that match (a warning is logged while none does).'),
    start: z.enum(['earliest', 'latest']).default('earliest').describe('Where a partition with no committed offset for the group starts.'),
    until: z
      .enum(['never', 'end'])
      .default('never')
      .describe('never: keep consuming until stopped. end: read up to the end offsets of the partitions when the source connects, then end (exit 0 once the group has committed them all): a one-off copy or backfill. Records appended later stay for the next run.'),
    offsetOutOfRange: z
      .enum(['fail', 'earliest', 'latest'])
      .default('fail')
      .describe("When the group's offset is no longer in the log (retention deleted it): fail (stop with topic, partition and offset), or continue from the earliest or latest offset."),
    encoding: valueEncodingSchema,
    maxBufferedRecords: z.number().int().positive().default(20_000).describe('Fetched records held before the partitions are paused (backpressure).'),
    maxBufferedBytes: z
      .number()
      .int()
      .positive()
      .default(32 * 1024 * 1024)
      .describe('Fetched bytes held before the partitions are paused (backpressure).'),
    fetchBytesPerPartition: z
      .number()
      .int()
      .min(1024)
      .default(128 * 1024)
      .describe(
        'Kafka only: compressed bytes asked of each partition per fetch (at most a quarter of maxBufferedBytes; a larger first record batch still comes whole). Small fetches keep memory and CPU low; raise it (e.g. 1048576) when the brokers are far away and each fetch costs a long round trip.',
      ),
    sessionTimeoutMs: z
      .number()
      .int()
      .min(6000)
      .default(30_000)
      .describe('Kafka group session timeout: a consumer that stops heartbeating for this long loses its partitions to the others.'),
    cluster: kafkaTransportSchema.optional().describe("A Kafka cluster for this source instead of the topology's transport."),
  })
  .refine((c) => (c.topics === undefined) !== (c.topicPattern === undefined), { message: 'give either topics or topicPattern', path: ['topics'] })
  .describe('Consumes Kafka topics (or the embedded log) as a consumer group, committing offsets only after downstream acknowledgement.');

export type KafkaSourceConfig = z.output<typeof kafkaSourceConfig>;
