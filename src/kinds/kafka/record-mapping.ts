import type { ConsumedMessage, OutgoingMessage } from '../../transport/message-log.js';
import type { LogRecord } from '../../streams/record.js';
import { decodeValue, encodeValue, type ValueEncoding } from './encoding.js';
import { textOf, textOrBytes, type TextOrBytes } from '../../core/text-or-bytes.js';

/** Header carrying a record's stream id through the log, so a source restores it. */
export const STREAM_HEADER = 'millrace.stream';


/**
 * A Kafka message for `record`: key, encoded value, headers (plus the stream header, unless
 * `streamHeader` is false), event time, and with `keepPartition` the record's source partition.
 */
export function toMessage(record: LogRecord, encoding: ValueEncoding, streamHeader = true, keepPartition = false): OutgoingMessage {
  const message: OutgoingMessage = { value: encodeValue(record.value, encoding), timestamp: record.ts };
  if (record.key !== undefined) message.key = record.key;
  if (keepPartition && record.partition !== undefined) message.partition = record.partition;
  const stream = streamHeader ? record.stream : undefined;
  if (record.headers !== undefined || stream !== undefined) {
    const headers: Record<string, TextOrBytes> = { ...record.headers };
    if (stream !== undefined) headers[STREAM_HEADER] = stream;
    message.headers = headers;
  }
  return message;
}

/** A record from a consumed message, or why its value cannot be decoded. */
export type Mapped = { ok: true; record: LogRecord } | { ok: false; reason: string; record: LogRecord };

/**
 * The record a message carries. An undecodable value is reported with the raw bytes kept as the
 * record value, so the dead letter shows what arrived.
 */
export function fromMessage(m: ConsumedMessage, encoding: ValueEncoding): Mapped {
  const record: LogRecord = { value: m.value ?? Buffer.alloc(0), ts: m.timestamp };
  if (m.key !== null) record.key = textOrBytes(m.key);
  let headers: Record<string, TextOrBytes> | undefined;
  for (const [name, value] of Object.entries(m.headers)) {
    if (name === STREAM_HEADER) record.stream = textOf(value);
    else (headers ??= {})[name] = value;
  }
  if (headers !== undefined) record.headers = headers;
  const decoded = decodeValue(m.value, encoding);
  if (!decoded.ok) return { ok: false, reason: decoded.reason, record };
  record.value = decoded.value;
  return { ok: true, record };
}
