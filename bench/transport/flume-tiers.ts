/**
 * Apache Flume 1.11's tiered collection (jars from bench/peers/flume/pom.xml):
 *   agent (one JVM per host):  TAILDIR -> file channel -> avro sink
 *   collector (one JVM):       avro source -> file channel -> Kafka sink (acks=all, LZ4)
 * Both channels are file channels: the avro source acks a batch once its channel committed it,
 * and only a file channel keeps that batch through a crash of the collector, as the gateway's
 * ack (sent once Kafka has the batch) does; a memory channel would lose what it held. Each line
 * goes to its stream's topic through the `topic` header TAILDIR puts on its file group. TAILDIR
 * polls a file at its end every 250 ms, as millrace's file tail does; the rest is Flume's
 * defaults but batch sizes of 1000 (millrace's file source batch) and a 512 MiB heap per JVM.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEERS_INFRA } from '../peers/job.js';
import { startTiers, type TiersPlan, type TiersRunner } from './plan.js';

const LOG4J2 = fileURLToPath(new URL('../peers/flume/log4j2.xml', import.meta.url));

function fileChannel(prefix: string, dir: string): string[] {
  mkdirSync(join(dir, 'checkpoint'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  return [
    `${prefix}.type = file`,
    `${prefix}.checkpointDir = ${join(dir, 'checkpoint')}`,
    `${prefix}.dataDirs = ${join(dir, 'data')}`,
    `${prefix}.transactionCapacity = 1000`,
  ];
}

function jvm(conf: string, name: string): string[] {
  return ['java', '-Xms128m', '-Xmx512m', `-Dlog4j.configurationFile=${LOG4J2}`, '-cp', `${join(PEERS_INFRA, 'flume/lib')}/*`, 'org.apache.flume.node.Application', '-n', name, '-f', conf, '--no-reload-conf'];
}

function write(file: string, lines: string[]): string {
  writeFileSync(file, [...lines, ''].join('\n'));
  return file;
}

export const flumeTiers: TiersRunner = (plan: TiersPlan) => {
  const collector = write(join(plan.dir, 'collector.properties'), [
    'c.sources = r',
    'c.channels = ch',
    'c.sinks = k',
    'c.sources.r.type = avro',
    'c.sources.r.bind = 127.0.0.1',
    `c.sources.r.port = ${plan.port}`,
    'c.sources.r.channels = ch',
    ...fileChannel('c.channels.ch', join(plan.dir, 'collector-channel')),
    'c.sinks.k.type = org.apache.flume.sink.kafka.KafkaSink',
    `c.sinks.k.kafka.bootstrap.servers = ${plan.brokers.join(',')}`,
    // Every event carries its stream's topic in its `topic` header; this one is never written.
    `c.sinks.k.kafka.topic = ${plan.agents[0]![0]!.topic}`,
    'c.sinks.k.flumeBatchSize = 1000',
    'c.sinks.k.kafka.producer.acks = all',
    'c.sinks.k.kafka.producer.compression.type = lz4',
    'c.sinks.k.channel = ch',
  ]);
  const agents = plan.agents.map((streams, i) =>
    write(join(plan.dir, `agent-${i}.properties`), [
      'a.sources = r',
      'a.channels = ch',
      'a.sinks = k',
      'a.sources.r.type = TAILDIR',
      `a.sources.r.positionFile = ${join(plan.dir, `agent-${i}-positions.json`)}`,
      `a.sources.r.filegroups = ${streams.map((_, j) => `f${j}`).join(' ')}`,
      ...streams.flatMap((s, j) => [`a.sources.r.filegroups.f${j} = ${s.file}`, `a.sources.r.headers.f${j}.topic = ${s.topic}`]),
      'a.sources.r.batchSize = 1000',
      'a.sources.r.backoffSleepIncrement = 250',
      'a.sources.r.maxBackoffSleep = 250',
      'a.sources.r.channels = ch',
      ...fileChannel('a.channels.ch', join(plan.dir, `agent-${i}-channel`)),
      'a.sinks.k.type = avro',
      'a.sinks.k.hostname = 127.0.0.1',
      `a.sinks.k.port = ${plan.port}`,
      'a.sinks.k.batch-size = 1000',
      'a.sinks.k.channel = ch',
    ]),
  );
  return startTiers(plan, jvm(collector, 'c'), agents.map((conf) => jvm(conf, 'a')));
};
