import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { asNotConnected } from './kafka-client.js';
import { toConsumed } from './kafka-consumer.js';
import { createCluster, type Cluster } from './kafka-wire/kafkajs-internals.js';
import type { ConsumedMessage, TopicAdmin, TopicSpec } from './message-log.js';

const FETCH_BYTES = 1024 * 1024;

/**
 * Topic administration on Kafka (kafkajs' admin client) and reads of one partition at an offset,
 * straight from its leader (a Fetch request without a consumer group).
 */
export class KafkaTopicAdmin implements TopicAdmin {
  private readonly admin: Admin;
  private readonly cluster: Cluster;
  private connected: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly brokers: readonly string[],
  ) {
    this.admin = kafka.admin();
    this.cluster = createCluster(kafka, { allowAutoTopicCreation: false, maxInFlightRequests: null });
  }

  async describe(topic: string): Promise<TopicSpec | undefined> {
    return this.call(async () => {
      if (!(await this.admin.listTopics()).includes(topic)) return undefined;
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      const described = await this.admin.describeConfigs({ resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
      const entries = described.resources[0]?.configEntries ?? [];
      const configs = Object.fromEntries(entries.filter((e) => e.configSource === kafkajs.ConfigSource.TOPIC_CONFIG && !e.isSensitive).map((e) => [e.configName, e.configValue]));
      return { partitions: topics[0]?.partitions.length ?? 0, configs };
    });
  }

  async createTopic(topic: string, spec: TopicSpec): Promise<void> {
    const configEntries = Object.entries(spec.configs).map(([name, value]) => ({ name, value }));
    await this.call(() => this.admin.createTopics({ topics: [{ topic, numPartitions: spec.partitions, configEntries }], waitForLeaders: true }));
  }

  async follow(topic: string, spec: TopicSpec): Promise<void> {
    await this.call(async () => {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] });
      if ((topics[0]?.partitions.length ?? 0) < spec.partitions) await this.admin.createPartitions({ topicPartitions: [{ topic, count: spec.partitions }] });
      // AlterConfigs replaces the topic's whole set: what the spec leaves out goes back to the default.
      const configEntries = Object.entries(spec.configs).map(([name, value]) => ({ name, value }));
      await this.admin.alterConfigs({ validateOnly: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configEntries }] });
    });
  }

  async range(topic: string, partition: number): Promise<{ low: number; high: number }> {
    const offsets = await this.call(() => this.admin.fetchTopicOffsets(topic));
    const p = offsets.find((o) => o.partition === partition);
    if (p === undefined) throw new Error(`kafka topic ${topic} has no partition ${partition}`);
    return { low: Number(p.low), high: Number(p.high) };
  }

  async read(topic: string, partition: number, offset: number): Promise<ConsumedMessage[]> {
    return this.call(async () => {
      await this.cluster.addMultipleTargetTopics([topic]);
      await this.cluster.refreshMetadataIfNecessary();
      const leader = this.cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
      if (leader === undefined || leader < 0) throw new Error(`kafka topic ${topic} partition ${partition} has no leader`);
      const broker = await this.cluster.findBroker({ nodeId: leader });
      const response = await broker.fetch({
        replicaId: -1,
        isolationLevel: 1,
        maxWaitTime: 0,
        minBytes: 0,
        maxBytes: FETCH_BYTES,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: FETCH_BYTES }] }],
      });
      const answer = response.responses[0]?.partitions[0];
      if (answer === undefined) return [];
      if (answer.errorCode !== 0) throw new Error(`kafka fetch of ${topic}/${partition} at ${offset} failed with error code ${answer.errorCode}`);
      return answer.messages.map(toConsumed).filter((m) => m.offset >= offset);
    });
  }

  async close(): Promise<void> {
    const was = this.connected;
    this.connected = undefined;
    if (was !== undefined) await Promise.all([this.admin.disconnect(), this.cluster.disconnect()]);
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      this.connected ??= Promise.all([this.admin.connect(), this.cluster.connect()]).then(
        () => undefined,
        (error: unknown) => {
          this.connected = undefined;
          throw error;
        },
      );
      await this.connected;
      return await op();
    } catch (error) {
      throw asNotConnected(error, this.brokers);
    }
  }
}
