import { z } from 'zod';

export const embeddedTransportSchema = z
  .strictObject({
    type: z.literal('embedded'),
    dir: z.string().default('log').describe('Directory of the embedded log, relative to the topology dataDir.'),
  })
  .describe('The durable embedded log: topics, partitions, offsets and consumer groups on local disk. Nothing to install.');

export const kafkaTransportSchema = z
  .strictObject({
    type: z.literal('kafka'),
    brokers: z.array(z.string().min(1)).min(1).describe('Bootstrap brokers, host:port.'),
    clientId: z.string().default('millrace').describe('Client id sent to the brokers.'),
    connectionTimeoutMs: z.number().int().positive().default(3000).describe('TCP connect timeout per broker.'),
    requestTimeoutMs: z.number().int().positive().default(30000).describe('Timeout of one request to a broker.'),
  })
  .describe('An Apache Kafka cluster, through kafkajs.');

/**
 * Where `kafka` sources and sinks read and write topics: the embedded log (default) or a real
 * Kafka cluster. Changing this one setting moves a topology between the two.
 */
export const transportSchema = z
  .discriminatedUnion('type', [embeddedTransportSchema, kafkaTransportSchema])
  .describe('Message log used by kafka sources and sinks: embedded (default) or kafka.');

export type TransportConfig = z.output<typeof transportSchema>;
