/**
 * Kafka MirrorMaker 2 in dedicated mode (connect-mirror jars from mirror-maker/pom.xml), a
 * minimal config: one flow `<alias> -> target`, both clusters the one broker, the source topic
 * only, no heartbeats, checkpoints or config/ACL syncing; the target producer with acks=all and
 * LZ4, the rest at MM2's defaults. The default replication policy names the copy
 * `<alias>.<source topic>`, so the alias is the part of the destination topic before the first
 * dot. Heap -Xmx512m, as the Kafka tools get in test/infra/kafka. Runs until stopped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_LOG4J_TOOLS, need, PEERS_INFRA, startIn, type PeerRunner } from './job.js';

/** The topic MirrorMaker 2 writes a copy of `sourceTopic` to, for a flow from cluster `alias`. */
export function mirroredTopic(alias: string, sourceTopic: string): string {
  return `${alias}.${sourceTopic}`;
}

export const mirrorMaker: PeerRunner = (job) => {
  if (job.workload !== 'kafka-kafka') throw new Error(`MirrorMaker 2 is run for Kafka -> Kafka only, not ${job.workload}`);
  const source = need(job, 'sourceTopic');
  const topic = need(job, 'topic');
  const alias = topic.slice(0, topic.indexOf('.'));
  if (alias === '' || mirroredTopic(alias, source) !== topic) throw new Error(`MirrorMaker 2 writes ${source} to <alias>.${source}, not ${topic}`);
  const conf = join(job.dir, 'mm2.properties');
  const brokers = job.brokers.join(',');
  writeFileSync(
    conf,
    [
      `clusters = ${alias}, target`,
      `${alias}.bootstrap.servers = ${brokers}`,
      `target.bootstrap.servers = ${brokers}`,
      `${alias}->target.enabled = true`,
      `${alias}->target.topics = ${source}`,
      `target->${alias}.enabled = false`,
      'emit.heartbeats.enabled = false',
      'emit.checkpoints.enabled = false',
      'sync.group.offsets.enabled = false',
      'sync.topic.configs.enabled = false',
      'sync.topic.acls.enabled = false',
      'replication.factor = 1',
      'offset-syncs.topic.replication.factor = 1',
      'heartbeats.topic.replication.factor = 1',
      'checkpoints.topic.replication.factor = 1',
      'offset.storage.replication.factor = 1',
      'status.storage.replication.factor = 1',
      'config.storage.replication.factor = 1',
      'target.producer.acks = all',
      'target.producer.compression.type = lz4',
      '',
    ].join('\n'),
  );
  return startIn(job, 'java', [
    '-Xms128m',
    '-Xmx512m',
    `-Dlog4j.configuration=file:${KAFKA_LOG4J_TOOLS}`,
    '-cp',
    `${join(PEERS_INFRA, 'mirror-maker/lib')}/*`,
    'org.apache.kafka.connect.mirror.MirrorMaker',
    conf,
  ]);
};
