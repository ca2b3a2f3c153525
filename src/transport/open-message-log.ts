import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Share } from '../core/shared-resources.js';
import { EmbeddedLogConsumer } from './embedded-consumer.js';
import { EmbeddedLogProducer } from './embedded-producer.js';
import { createKafka, type KafkaTransport } from './kafka-client.js';
import { KafkaLogConsumer } from './kafka-consumer.js';
import { KafkaLogProducer } from './kafka-producer.js';
import { EmbeddedTopicAdmin } from './embedded-topic-admin.js';
import { KafkaTopicAdmin } from './kafka-topic-admin.js';
import type { ConsumerOptions, LogConsumer, LogProducer, MessageLog, ProducerOptions, TopicAdmin } from './message-log.js';
import type { TransportConfig } from './schema.js';

class KafkaMessageLog implements MessageLog {
  readonly kind = 'kafka';
  /** Producer clients by retry budget: a client's retries also bound its producers' reconnects. */
  private readonly clients = new Map<number, Kafka>();

  constructor(
    private readonly transport: KafkaTransport,
    private readonly log: Logger,
  ) {}

  producer(options: ProducerOptions): LogProducer {
    let client = this.clients.get(options.deliveryTimeoutMs);
    if (client === undefined) {
      client = createKafka(this.transport, this.log, { retryForMs: options.deliveryTimeoutMs });
      this.clients.set(options.deliveryTimeoutMs, client);
    }
    return new KafkaLogProducer(client, options, this.transport.brokers);
  }

  consumer(options: ConsumerOptions): LogConsumer {
    // Own client: its log hook belongs to this consumer (see KafkaLogConsumer).
    return new KafkaLogConsumer(this.transport, options, this.log);
  }

  admin(): TopicAdmin {
    return new KafkaTopicAdmin(createKafka(this.transport, this.log), this.transport.brokers);
  }
}

class EmbeddedMessageLog implements MessageLog {
  readonly kind = 'embedded';

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly share: Share,
  ) {}

  producer(): LogProducer {
    return new EmbeddedLogProducer(this.dir, this.share);
  }

  consumer(options: ConsumerOptions): LogConsumer {
    return new EmbeddedLogConsumer(this.dir, options, this.log, this.share);
  }

  admin(): TopicAdmin {
    return new EmbeddedTopicAdmin(this.dir, this.share);
  }
}

/**
 * The message log a topology's `transport` names: Kafka through kafkajs, or the embedded log in
 * `dir` (already absolute in ActorContext.transport), opened through `share`: an actor's
 * `ctx.shared`, so the runtime's actors share one open log, or `new SharedResources().acquire`
 * outside a runtime.
 *
 * @example
 * const log = openMessageLog(ctx.transport, ctx.log, ctx.shared);
 * const producer = log.producer({ acks: -1, idempotent: true, compression: 'lz4' });
 * await producer.connect();
 * await producer.send('events', [{ key: 'host-1', value: Buffer.from('hello') }]);
 */
export function openMessageLog(transport: TransportConfig, log: Logger, share: Share): MessageLog {
  return transport.type === 'kafka' ? new KafkaMessageLog(transport, log) : new EmbeddedMessageLog(transport.dir, log, share);
}
