import { existsSync, readFileSync } from 'node:fs';
import kafkajs from 'kafkajs';

/** Creates `topic` with `partitions` (once the leaders are elected). */
export async function createTopic(brokers: string[], topic: string, partitions: number): Promise<void> {
  const admin = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
}

/** Sends the values `seq=<from>` .. `seq=<from+count-1>` to `topic`, keyed so they spread over its partitions. */
export async function sendSeqs(brokers: string[], topic: string, from: number, count: number): Promise<void> {
  const producer = new kafkajs.Kafka({ brokers, logLevel: kafkajs.logLevel.NOTHING }).producer();
  await producer.connect();
  for (let start = from; start < from + count; start += 1000) {
    const end = Math.min(from + count, start + 1000);
    await producer.send({ topic, messages: Array.from({ length: end - start }, (_, k) => ({ key: String((start + k) % 7), value: `seq=${start + k}` })) });
  }
  await producer.disconnect();
}

/** The sequence numbers in a file sink's `lines` output, in file order (repeats kept; a last line without its newline, cut by a kill, left out). */
export function seqsIn(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.startsWith('seq='))
    .map((l) => Number(l.slice(4)));
}

/** How many of 0..total-1 are missing from `seen`, and how many entries repeat one seen before. */
export function tally(seen: readonly number[], total: number): { missing: number; doubled: number } {
  const distinct = new Set(seen);
  let missing = 0;
  for (let s = 0; s < total; s++) if (!distinct.has(s)) missing++;
  return { missing, doubled: seen.length - distinct.size };
}

/** A file sink entry of the registry writing `lines` to `path` (relative to the dispatcher's data dir). */
export const fileSink = (path: string): Record<string, unknown> => ({ type: 'file', id: 'archive', path, format: 'lines', fsync: 'never' });
