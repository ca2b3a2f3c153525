import { TOPIC_SPEC_HEADER, type ShippedSpec } from './topic-spec.js';
import type { WireRecord } from './wire-record.js';

const CONTROL_TOPIC_SPEC: ShippedSpec = { partitions: 1, configs: {}, createOnly: true };

/**
 * A record the sender makes itself (a heartbeat, a group's offsets): partition 0 of `topic`, a
 * JSON value, no source offset. The first one of its topic a sender process queues carries the
 * topic's spec (one partition, create only), so a receiver's kafka sink creates the topic where it
 * is missing, as for a mirrored topic, and leaves an existing one as it is.
 */
export function controlRecord(topic: string, key: string, value: object, ts: number, withSpec: boolean): WireRecord {
  return {
    topic,
    partition: 0,
    offset: '-1',
    ts,
    key: Buffer.from(key, 'utf8'),
    value: Buffer.from(JSON.stringify(value), 'utf8'),
    headers: withSpec ? [[TOPIC_SPEC_HEADER, Buffer.from(JSON.stringify(CONTROL_TOPIC_SPEC))]] : [],
  };
}
