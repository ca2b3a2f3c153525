/** What a peer runner is asked to do in one run, and where it may write its files. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMeasured, type Measured } from './measure.js';

export type Workload = 'file-kafka' | 'kafka-kafka' | 'file-file';

export interface Job {
  workload: Workload;
  /** A fresh directory for this run's configs, state and log. */
  dir: string;
  brokers: string[];
  /** file-kafka, file-file: the input file. */
  input?: string;
  /** kafka-kafka: the topic to copy. */
  sourceTopic?: string;
  /** file-kafka, kafka-kafka: the topic to write (created beforehand). */
  topic?: string;
  /** file-file: the file to append to. */
  output?: string;
  /** A name unique to this run (groups, aliases). */
  tag: string;
}

/** Starts the peer for `job` (writing its configs under job.dir) and returns the measured tree. */
export type PeerRunner = (job: Job) => Measured;

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PEERS_INFRA = process.env['MILLRACE_PEERS_INFRA_DIR'] ?? join(REPO_ROOT, '.infra/peers');
export const LOG_FILE = 'peer.log';

/** Starts `command args` measured, in job.dir, logging to job.dir/peer.log. */
export function startIn(job: Job, command: string, args: readonly string[]): Measured {
  return startMeasured(command, args, { cwd: job.dir, logFile: join(job.dir, LOG_FILE) });
}

/** The field of `job` a workload needs, or an error naming it. */
export function need<K extends keyof Job>(job: Job, key: K): NonNullable<Job[K]> {
  const v = job[key];
  if (v === undefined || v === null) throw new Error(`${job.workload} job needs ${String(key)}`);
  return v as NonNullable<Job[K]>;
}

/** The Kafka tools' log4j config (warnings and errors on stderr), for MirrorMaker 2. */
export const KAFKA_LOG4J_TOOLS = join(REPO_ROOT, 'test/infra/kafka/log4j-tools.properties');
