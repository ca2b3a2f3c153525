import { Ack } from './ack.js';
import { sliceOrigin, type Origin } from './origin.js';
import { recordBytes, type LogRecord } from './record.js';

/**
 * The unit that moves through channels: records plus one acknowledgement.
 * `position` names where the batch came from (file and offset, topic/partition/offset, ...) so a
 * dead-letter entry can point back at the input.
 */
export interface Batch {
  readonly records: LogRecord[];
  readonly ack: Ack;
  readonly bytes: number;
  readonly position: string;
  /** Where in its source the records come from, when the source says (for exactly-once sinks). */
  readonly origin?: Origin;
  /** Delivery attempts so far on the current hop (redelivery after a crash or a nack increments it). */
  attempts: number;
  /** The error of the last failed attempt, for the dead-letter reason. */
  lastError?: string;
  /** Put back in its channel after a crash or a lost connection: its records were counted in already. */
  redelivered?: boolean;
}

export function makeBatch(records: LogRecord[], ack: Ack, position: string, origin?: Origin): Batch {
  let bytes = 0;
  for (const r of records) bytes += recordBytes(r);
  return { records, ack, bytes, position, origin, attempts: 0 };
}

/** A batch with new records that settles the same acknowledgement (1:1 transformations). */
export function withRecords(batch: Batch, records: LogRecord[]): Batch {
  return makeBatch(records, batch.ack, batch.position);
}

/** Splits a batch into pieces of at most `maxRecords` records, forking its ack across them. */
export function splitBatch(batch: Batch, maxRecords: number): Batch[] {
  if (batch.records.length <= maxRecords) return [batch];
  const pieces = Math.ceil(batch.records.length / maxRecords);
  const acks = batch.ack.fork(pieces);
  const out: Batch[] = [];
  for (let i = 0; i < pieces; i++) {
    const from = i * maxRecords;
    const to = Math.min(from + maxRecords, batch.records.length);
    out.push(makeBatch(batch.records.slice(from, to), acks[i] as Ack, batch.position, sliceOrigin(batch.origin, from, to)));
  }
  return out;
}
