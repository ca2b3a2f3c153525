import type { Origin } from '../../streams/origin.js';
import { payloadText, type LogRecord } from '../../streams/record.js';
import type { WireRecord } from '../../link/wire-record.js';
import { bytesOf, textOrBytes, type TextOrBytes } from '../../core/text-or-bytes.js';
import { SOURCE_OFFSET_HEADER } from '../../link/offset-translation.js';
import { TOPIC_NAME } from '../../core/topic-name.js';

/** `<kafka source actor>/<topic>/<partition>`: the origin a kafka source gives its batches. */
const KAFKA_STREAM = new RegExp(`^[^/>!]+/(${TOPIC_NAME.source.slice(1, -1)})/(\\d+)$`);

/**
 * Records of a batch as they cross the link. Straight from a kafka source (the batch's origin
 * names a topic partition and each record's offset), they keep topic, partition and offset;
 * otherwise the topic is the record's stream (or `defaultTopic`) and partition and offset are -1.
 */
export function toWire(records: readonly LogRecord[], origin: Origin | undefined, defaultTopic: string): WireRecord[] {
  const m = origin?.positions === undefined ? null : KAFKA_STREAM.exec(origin.stream);
  return records.map((r, i) => ({
    topic: m === null ? (r.stream ?? defaultTopic) : (m[1] as string),
    partition: m === null ? -1 : Number(m[2]),
    offset: m === null ? '-1' : String((origin?.positions as readonly number[])[i]),
    ts: r.ts,
    key: r.key === undefined ? null : bytesOf(r.key),
    value: r.value instanceof Uint8Array ? Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength) : Buffer.from(payloadText(r.value), 'utf8'),
    headers: Object.entries(r.headers ?? {}).map(([k, v]) => [k, bytesOf(v)]),
  }));
}

/**
 * A record that crossed the link, for the receiver's downstream: stream = its source topic, and
 * its source partition when known. With `sourceOffsetHeader`, a record that has a source offset
 * also gets it as the {@link SOURCE_OFFSET_HEADER} header (for checkpoints).
 */
export function fromWire(w: WireRecord, sourceOffsetHeader: boolean): LogRecord {
  const record: LogRecord = { value: w.value ?? Buffer.alloc(0), ts: w.ts, stream: w.topic };
  if (w.partition >= 0) record.partition = w.partition;
  if (w.key !== null) record.key = textOrBytes(w.key);
  const headers = w.headers.map(([k, v]): [string, TextOrBytes] => [k, textOrBytes(v)]);
  if (sourceOffsetHeader && w.partition >= 0 && w.offset !== '-1') headers.push([SOURCE_OFFSET_HEADER, w.offset]);
  if (headers.length > 0) record.headers = Object.fromEntries(headers);
  return record;
}
