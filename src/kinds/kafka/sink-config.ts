import { z } from 'zod';
import { kafkaTransportSchema } from '../../transport/schema.js';
import { clusterRoutesSchema } from './cluster-routes-config.js';
import { valueEncodingSchema } from './encoding.js';
import { lagBlacklistSchema } from './lag-blacklist-config.js';
import { TOPIC_NAME } from '../../core/topic-name.js';
import { rotationSchema, slowPartitionsSchema } from './rotation-config.js';
import { failoverSchema } from './failover-config.js';

export const kafkaBatchSchema = z
  .strictObject({
    maxRecords: z.number().int().positive().default(10_000).describe('Most records in one produce request.'),
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe('Most bytes (values and keys) in one produce request; keep it at or below the broker message.max.bytes.'),
    lingerMs: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('How long a request that is not full waits for more records (from other sink replicas) before it is sent.'),
  })
  .describe('How records are grouped into produce requests.');

export const kafkaSinkConfig = z
  .strictObject({
    topic: z
      .string()
      .min(1)
      .refine((t) => TOPIC_NAME.test(t.replaceAll('{stream}', 's')), 'a topic name has only letters, digits, ".", "_" and "-" (at most 249)')
      .describe('Topic to write to; "{stream}" is replaced by the record stream id, for one topic per stream.'),
    producers: z.number().int().min(1).max(64).default(2).describe('Producers in the pool, shared by the replicas of this sink.'),
    writesInFlight: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe(
        'Batches one replica hands to the producer pool before the first is acked, so batches of several streams are produced side by side (a gateway reads one stream per batch). Each stream keeps its order. With partition: source it is 1 (each batch is placed after the one before is written).',
      ),
    sliceMs: z.number().int().positive().default(50).describe('How long a producer serves one stream queue before it moves on to the next.'),
    maxProducersPerQueue: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Producers that may serve one stream at once; 1 keeps each stream in order and leaves the others to the rest.'),
    acks: z.enum(['all', 'leader']).default('all').describe('all: acknowledged by every in-sync replica (acks=-1); leader: by the leader only.'),
    idempotent: z.boolean().default(true).describe('Idempotent producers: a retried request is not written twice by the broker (needs acks: all).'),
    deliveryTimeoutMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe('How long a produce request is retried (broker restarting, leader moving) before the sink reports the cluster unreachable and backs off.'),
    batch: kafkaBatchSchema.prefault({}),
    compression: z.enum(['none', 'gzip', 'lz4']).default('none').describe('Compression of record batches (Kafka only); lz4 is Kafka-compatible LZ4 frames.'),
    encoding: valueEncodingSchema,
    streamHeader: z
      .boolean()
      .default(true)
      .describe('Add the millrace.stream header (the record stream id), so a kafka source reading the topic restores the stream; false writes only the record\'s own headers (a mirror).'),
    partition: z
      .enum(['key', 'source'])
      .default('key')
      .describe(
        "key: Kafka's partitioner (murmur2 of the key; unkeyed records spread). source: the partition number the record had in its source topic (a mirror link carries it), in a topic that must exist with at least as many partitions (else the run stops with the fix; never remapped).",
      ),
    linkSequence: z
      .boolean()
      .default(false)
      .describe(
        'Mirror receiver: write each record\'s link sequence number in the millrace.link-seq header and, after every (re)connect, leave out records at or below the last one in their destination partition, so a receiver restarted after a crash writes nothing twice. Needs partition: source, the sink right after the link source, and maxProducersPerQueue: 1.',
      ),
    defaultStream: z.string().min(1).default('default').describe('Stream of records that have no stream id.'),
    maxRecordBytes: z
      .number()
      .int()
      .positive()
      .default(1_000_000)
      .describe('A record whose encoded value and key exceed this is dead-lettered instead of sent (the broker would reject it).'),
    rotation: rotationSchema.prefault({}),
    slowPartitions: slowPartitionsSchema.prefault({}),
    cluster: kafkaTransportSchema.optional().describe("A Kafka cluster for this sink instead of the topology's transport."),
    lagBlacklist: lagBlacklistSchema.optional(),
    failover: failoverSchema.optional(),
    routes: clusterRoutesSchema.optional(),
  })
  .refine((c) => !c.idempotent || c.acks === 'all', { message: 'idempotent producers need acks: all', path: ['idempotent'] })
  .refine((c) => !c.linkSequence || c.partition === 'source', { message: 'linkSequence needs partition: source (the skip rule is per source partition)', path: ['linkSequence'] })
  .refine((c) => !c.linkSequence || (c.maxProducersPerQueue === 1 && c.idempotent), {
    message: 'linkSequence needs maxProducersPerQueue: 1 and idempotent: true (each partition written in sequence order)',
    path: ['linkSequence'],
  })
  .refine((c) => c.partition === 'key' || c.failover === undefined, { message: 'partition: source does not go with failover (a secondary cluster has other topics)', path: ['partition'] })
  .describe('Writes records to a Kafka topic (or the embedded log) through a pool of producers with one queue per stream.');

export type KafkaSinkConfig = z.output<typeof kafkaSinkConfig>;
