import { TOPIC_SPEC_HEADER } from './topic-spec.js';
import type { WireRecord } from './wire-record.js';

/** What a heartbeat record's value holds (JSON). */
export interface Heartbeat {
  link: string;
  /** The sender's clock when it queued the heartbeat, ms since the epoch (also the record's timestamp). */
  ts: number;
}

/**
 * A heartbeat as the sender queues it: partition 0 of `topic`, keyed by the link name. The first
 * one a sender process queues carries the topic's spec (one partition), so a receiver's kafka sink
 * creates the topic where it is missing, as for a mirrored topic.
 */
export function heartbeatRecord(link: string, topic: string, ts: number, withSpec: boolean): WireRecord {
  const value: Heartbeat = { link, ts };
  return {
    topic,
    partition: 0,
    offset: '-1',
    ts,
    key: Buffer.from(link, 'utf8'),
    value: Buffer.from(JSON.stringify(value), 'utf8'),
    headers: withSpec ? [[TOPIC_SPEC_HEADER, Buffer.from(JSON.stringify({ partitions: 1, configs: {} }))]] : [],
  };
}
