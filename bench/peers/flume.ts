/**
 * Apache Flume 1.11 agent (jars from flume/pom.xml): TAILDIR source -> memory channel -> Kafka
 * sink (acks=all, LZ4), batches of 1000 as millrace's file source reads them; the rest at
 * Flume's defaults. Heap -Xmx512m (the flume-ng script's default of 20m cannot hold a batch
 * flow). Runs until stopped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { need, PEERS_INFRA, startIn, type PeerRunner } from './job.js';

const LOG4J2 = fileURLToPath(new URL('./flume/log4j2.xml', import.meta.url));

export const flume: PeerRunner = (job) => {
  if (job.workload !== 'file-kafka') throw new Error(`Flume is run for file -> Kafka only, not ${job.workload}`);
  const conf = join(job.dir, 'flume.properties');
  writeFileSync(
    conf,
    [
      'a1.sources = r1',
      'a1.channels = c1',
      'a1.sinks = k1',
      'a1.sources.r1.type = TAILDIR',
      `a1.sources.r1.positionFile = ${join(job.dir, 'taildir_position.json')}`,
      'a1.sources.r1.filegroups = f1',
      `a1.sources.r1.filegroups.f1 = ${need(job, 'input')}`,
      'a1.sources.r1.batchSize = 1000',
      'a1.sources.r1.channels = c1',
      'a1.channels.c1.type = memory',
      'a1.channels.c1.capacity = 100000',
      'a1.channels.c1.transactionCapacity = 1000',
      'a1.sinks.k1.type = org.apache.flume.sink.kafka.KafkaSink',
      `a1.sinks.k1.kafka.bootstrap.servers = ${job.brokers.join(',')}`,
      `a1.sinks.k1.kafka.topic = ${need(job, 'topic')}`,
      'a1.sinks.k1.flumeBatchSize = 1000',
      'a1.sinks.k1.kafka.producer.acks = all',
      'a1.sinks.k1.kafka.producer.compression.type = lz4',
      'a1.sinks.k1.channel = c1',
      '',
    ].join('\n'),
  );
  return startIn(job, 'java', [
    '-Xms128m',
    '-Xmx512m',
    `-Dlog4j.configurationFile=${LOG4J2}`,
    '-cp',
    `${join(PEERS_INFRA, 'flume/lib')}/*`,
    'org.apache.flume.node.Application',
    '-n',
    'a1',
    '-f',
    conf,
    '--no-reload-conf',
  ]);
};
