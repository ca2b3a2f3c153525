/**
 * millrace as a user runs it: a topology file and `millrace run` (the `npm run topology` flags).
 * file -> Kafka: file source (once) -> kafka sink; Kafka -> Kafka: kafka source -> kafka sink;
 * file -> file: file source (once) -> file sink (fsync per batch, lines). Sinks: acks=all, LZ4.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { need, REPO_ROOT, startIn, type Job, type PeerRunner } from './job.js';

function topology(job: Job): object {
  const kafkaSink = { kind: 'kafka', inputs: ['in'], topic: job.topic, acks: 'all', compression: 'lz4', encoding: 'raw' };
  const fileSource = (): object => ({ kind: 'file', mode: 'once', paths: [need(job, 'input')] });
  const base = { name: 'peers', dataDir: join(job.dir, 'data'), transport: { type: 'kafka', brokers: job.brokers } };
  switch (job.workload) {
    case 'file-kafka':
      return { ...base, sources: { in: fileSource() }, sinks: { out: kafkaSink } };
    case 'kafka-kafka':
      return {
        ...base,
        sources: { in: { kind: 'kafka', topics: [need(job, 'sourceTopic')], group: job.tag, start: 'earliest', encoding: 'raw' } },
        sinks: { out: kafkaSink },
      };
    case 'file-file':
      return { ...base, sources: { in: fileSource() }, sinks: { out: { kind: 'file', inputs: ['in'], path: need(job, 'output'), format: 'lines', fsync: 'batch' } } };
  }
}

export const millrace: PeerRunner = (job) => {
  const file = join(job.dir, 'topology.yaml');
  writeFileSync(file, stringify(topology(job)));
  return startIn(job, process.execPath, ['--max-semi-space-size=64', join(REPO_ROOT, 'bin/millrace.js'), 'run', file]);
};
