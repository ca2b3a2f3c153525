import { controlRecord } from './control-record.js';
import type { WireRecord } from './wire-record.js';

/** What a heartbeat record's value holds (JSON). */
export interface Heartbeat {
  link: string;
  /** The sender's clock when it queued the heartbeat, ms since the epoch (also the record's timestamp). */
  ts: number;
}

/** A heartbeat as the sender queues it: keyed by the link name (see {@link controlRecord}). */
export function heartbeatRecord(link: string, topic: string, ts: number, withSpec: boolean): WireRecord {
  const value: Heartbeat = { link, ts };
  return controlRecord(topic, link, value, ts, withSpec);
}
