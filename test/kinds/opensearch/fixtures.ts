import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import type { LogRecord } from '../../../src/streams/record.js';
import { missingPart } from '../../real-part.js';
import { ensureOpenSearch, type OpenSearchHandle } from '../../infra/opensearch/node.js';

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Whether tests needing an OpenSearch node must skip: Java or Maven missing (a failure in CI). */
export function noOpenSearch(): boolean {
  const present = process.env.MILLRACE_OPENSEARCH_URL !== undefined || (onPath('java') && onPath('mvn'));
  return missingPart(present, 'Java 17 and Maven (to run OpenSearch from Maven Central jars)', 'apt-get install openjdk-17-jre-headless maven');
}

/** The shared node (instance "a" on 9200) for one test file; read `url` inside a test. */
export function useOpenSearch(): { readonly url: string } {
  let node: OpenSearchHandle | undefined;
  beforeAll(async () => {
    node = await ensureOpenSearch();
  }, 240_000);
  afterAll(async () => {
    await node?.stop();
  }, 120_000);
  return {
    get url(): string {
      if (node === undefined) throw new Error('the OpenSearch node is started in beforeAll: read its url inside a test');
      return node.url;
    },
  };
}

/** The shared node for the sink's example, and the setting that points it there. */
export async function exampleOpenSearch(): Promise<{ url: string }> {
  const node = await ensureOpenSearch();
  onTestFinished(() => node.stop());
  return { url: node.url };
}

/** JSON log events `{ id, seq, level, msg }` one second apart from 2026-12-06T00:00:00Z. */
export function logEvents(n: number, from = 0): LogRecord[] {
  const base = Date.UTC(2026, 11, 6);
  return Array.from({ length: n }, (_, k) => {
    const seq = from + k;
    return { ts: base + seq * 1000, value: { id: `event-${seq}`, seq, level: seq % 10 === 0 ? 'warn' : 'info', msg: `request ${seq} served` } };
  });
}

/**
 * Creates `topic` with `partitions` and sends `events` to it as JSON messages stamped with their
 * event time, `chunk` per request with `pauseMs` between requests (a stream still flowing).
 */
export async function sendEvents(brokers: string[], topic: string, partitions: number, events: LogRecord[], chunk: number, pauseMs = 0): Promise<void> {
  const client = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  for (let from = 0; from < events.length; from += chunk) {
    await producer.send({ topic, messages: events.slice(from, from + chunk).map((r) => ({ value: JSON.stringify(r.value), timestamp: String(r.ts) })) });
    if (pauseMs > 0) await sleep(pauseMs);
  }
  await producer.disconnect();
}
