import kafkajs, { type Kafka, type Producer } from 'kafkajs';
import { asNotConnected, retriesFor } from './kafka-client.js';
import type { LogProducer, OutgoingMessage, ProducerOptions } from './message-log.js';

const COMPRESSION = {
  none: kafkajs.CompressionTypes.None,
  gzip: kafkajs.CompressionTypes.GZIP,
  lz4: kafkajs.CompressionTypes.LZ4,
} as const;

/**
 * A kafkajs producer. Keys go through kafkajs' default partitioner, which since kafkajs 2 is the
 * Java client's murmur2 partitioner, so a key lands on the same partition as from a Java producer.
 *
 * Idempotence: kafkajs assigns sequence numbers per request and updates them only when the request
 * returns, so an idempotent producer must have one request in flight; callers run one `send` at a
 * time per producer (the sink's pool runs several producers instead). kafkajs would retry an
 * idempotent producer forever; retries (of requests here, of connecting in the client, which the
 * caller creates with the same budget) are bounded so that a cluster that stays unreachable
 * surfaces as NotConnected after about `deliveryTimeoutMs`. A batch retried after that may be
 * written twice (at-least-once).
 */
export class KafkaLogProducer implements LogProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly options: ProducerOptions,
    private readonly brokers: readonly string[],
  ) {
    this.producer = kafka.producer({
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
      idempotent: options.idempotent,
      maxInFlightRequests: options.idempotent ? 1 : undefined,
      allowAutoTopicCreation: true,
      retry: { retries: retriesFor(options.deliveryTimeoutMs), initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  async connect(): Promise<void> {
    try {
      await this.producer.connect();
    } catch (error) {
      throw asNotConnected(error, this.brokers);
    }
  }

  async send(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    try {
      await this.producer.send({
        topic,
        acks: this.options.acks,
        compression: COMPRESSION[this.options.compression],
        messages: messages.map((m) => ({
          key: m.key ?? null,
          value: m.value,
          headers: m.headers,
          timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
        })),
      });
    } catch (error) {
      throw asNotConnected(error, this.brokers);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
