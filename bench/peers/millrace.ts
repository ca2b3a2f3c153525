/**
 * millrace as a user runs it: a topology file and `millrace run` of the compiled package (the
 * `npm run topology` flags).
 * file -> Kafka: file source (once) -> kafka sink; Kafka -> Kafka: kafka source -> kafka sink;
 * file -> file: file source (once) -> file sink (fsync per batch, lines). Sinks: acks=all, LZ4.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { compiledCli } from '../compiled-cli.js';
import { topologyFlags } from '../topology-flags.js';
import { need, startIn, type Job, type PeerRunner } from './job.js';

/** A way of running millrace beside the default one: sink isolation, node flags. */
interface Variant {
  /** The sink's `isolation` (default: none). */
  sinkIsolation?: 'thread';
  /** Node flags (`npm run topology`'s by default). */
  nodeFlags: readonly string[];
}

function topology(job: Job, variant: Variant): object {
  const isolation = variant.sinkIsolation === undefined ? {} : { isolation: variant.sinkIsolation };
  const kafkaSink = { kind: 'kafka', inputs: ['in'], topic: job.topic, acks: 'all', compression: 'lz4', encoding: 'raw', ...isolation };
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

function runner(variant: Variant): PeerRunner {
  return (job) => {
    const file = join(job.dir, 'topology.yaml');
    writeFileSync(file, stringify(topology(job, variant)));
    return startIn(job, process.execPath, [...variant.nodeFlags, compiledCli(), 'run', file]);
  };
}

/** As `npm run topology` runs it. */
export const millrace = runner({ nodeFlags: topologyFlags });
/** The kafka sink in a worker thread of its own (`isolation: thread`, issue #11 item 4). */
export const millraceThread = runner({ nodeFlags: topologyFlags, sinkIsolation: 'thread' });
/** Node's defaults (a 16 MB semi-space), as the installed `millrace run` runs. */
export const millraceSemi16 = runner({ nodeFlags: [] });
/** A 64 MB semi-space, `npm run topology`'s flag before 2026-12-08 (docs/decisions/kafka-fast-path.md). */
export const millraceSemi64 = runner({ nodeFlags: ['--max-semi-space-size=64'] });
