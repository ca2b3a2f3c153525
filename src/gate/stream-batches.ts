import { bytesOf } from '../core/text-or-bytes.js';
import type { TransportRecord } from './protocol.js';
import { payloadText, type LogRecord } from '../streams/record.js';

/** One gateway batch: records of one stream, and the input records they came from. */
export interface StreamBatch {
  streamId: string;
  records: TransportRecord[];
  sources: LogRecord[];
}

/**
 * An input batch cut into gateway batches: per stream id (the record's, else `defaultStream`), in
 * input order, at most `maxRecords` records and `maxBytes` value bytes each (a larger record goes
 * alone). Records with no stream id and no default are returned as `unrouted`.
 */
export function streamBatches(
  input: readonly LogRecord[],
  limits: { defaultStream?: string | undefined; maxRecords: number; maxBytes: number },
): { batches: StreamBatch[]; unrouted: LogRecord[] } {
  const open = new Map<string, StreamBatch & { bytes: number }>();
  const batches: StreamBatch[] = [];
  const unrouted: LogRecord[] = [];
  for (const record of input) {
    const streamId = record.stream ?? limits.defaultStream;
    if (streamId === undefined || streamId === '') {
      unrouted.push(record);
      continue;
    }
    const wire = toTransport(record);
    let batch = open.get(streamId);
    if (batch !== undefined && (batch.records.length >= limits.maxRecords || (batch.bytes > 0 && batch.bytes + wire.value.length > limits.maxBytes))) batch = undefined;
    if (batch === undefined) {
      batch = { streamId, records: [], sources: [], bytes: 0 };
      open.set(streamId, batch);
      batches.push(batch);
    }
    batch.records.push(wire);
    batch.sources.push(record);
    batch.bytes += wire.value.length;
  }
  return { batches: batches.map(({ streamId, records, sources }) => ({ streamId, records, sources })), unrouted };
}

function toTransport(r: LogRecord): TransportRecord {
  const value = r.value instanceof Uint8Array ? Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength) : Buffer.from(payloadText(r.value), 'utf8');
  const out: TransportRecord = { value, timestampMs: r.ts };
  if (r.key !== undefined) out.key = bytesOf(r.key);
  if (r.headers !== undefined) out.headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, bytesOf(v)]));
  return out;
}
