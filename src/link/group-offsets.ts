import { z } from 'zod';
import { TOPIC_NAME } from '../core/topic-name.js';
import { controlRecord } from './control-record.js';
import type { WireRecord } from './wire-record.js';

/**
 * What a group-offsets record's value holds (JSON): the offsets a consumer group had committed on
 * the source cluster for the mirrored topics, as the sender read them. Each offset is the next
 * record the group will read (Kafka's committed offset).
 */
export const groupOffsetsValue = z.strictObject({
  link: z.string().min(1),
  group: z.string().min(1),
  /** The sender's clock when it read the offsets. */
  ts: z.number().int(),
  offsets: z.array(
    z.strictObject({
      topic: z.string().regex(TOPIC_NAME),
      partition: z.number().int().min(0),
      offset: z.number().int().min(0),
    }),
  ),
});

export type GroupOffsets = z.output<typeof groupOffsetsValue>;

/** A group's source offsets as the sender queues them: keyed by the group (see {@link controlRecord}). */
export function groupOffsetsRecord(value: GroupOffsets, topic: string, withSpec: boolean): WireRecord {
  return controlRecord(topic, value.group, value, value.ts, withSpec);
}
