import type { EmbeddedLog } from '../log/index.js';

/**
 * Partitions of a topic the embedded transport creates on first use (Kafka's auto-creation uses
 * the broker's `num.partitions`; the test brokers use 3 as well).
 */
export const EMBEDDED_DEFAULT_PARTITIONS = 3;

/** Creates `topic` with {@link EMBEDDED_DEFAULT_PARTITIONS} unless it exists (with any count). */
export async function ensureTopic(log: EmbeddedLog, topic: string): Promise<void> {
  if (log.topics().includes(topic)) return;
  await log.createTopic(topic, { partitions: EMBEDDED_DEFAULT_PARTITIONS });
}
