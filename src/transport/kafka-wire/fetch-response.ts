/**
 * Fetch responses (v11) decoded into exactly what kafkajs' own decoder returns (the same objects,
 * fields and strings), for the consumer it runs. kafkajs' decoder makes a reader object, a
 * length-prefixed slice and two 64-bit `Long`s per record and merges headers by spreading one
 * object per header; this reads the records in place, with offsets and timestamps in plain numbers
 * while they fit (BigInt past 2^53). Record batches only (magic 2): a response that holds the old
 * message sets is left to kafkajs' decoder (see {@link decodeFetchV11}).
 */
import { setOwn } from '../../core/own-property.js';
import { ByteReader } from './byte-reader.js';
import { codecOfAttributes } from './kafkajs-internals.js';

const TIMESTAMP_TYPE_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
/** kafkajs' TimestampTypes. */
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;
/** Offset of the magic byte in a record batch or message set; the smallest batch header. */
const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;

/** What kafkajs' record decoder gives for one record. */
export interface FetchedRecord {
  magicByte: number;
  attributes: number;
  timestamp: string;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | null | (Buffer | null)[]>;
  isControlRecord: boolean;
  batchContext: BatchContext;
}

interface BatchContext {
  firstOffset: string;
  firstTimestamp: string;
  partitionLeaderEpoch: number;
  inTransaction: boolean;
  isControlBatch: boolean;
  lastOffsetDelta: number;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  maxTimestamp: string;
  timestampType: number;
  magicByte: number;
}

export interface FetchPartition {
  partition: number;
  errorCode: number;
  highWatermark: string;
  lastStableOffset: string;
  lastStartOffset: string;
  abortedTransactions: { producerId: string; firstOffset: string }[];
  preferredReadReplica: number;
  messages: FetchedRecord[];
}

export interface FetchResponse {
  throttleTime: number;
  clientSideThrottleTime: number;
  errorCode: number;
  sessionId: number;
  responses: { topicName: string; partitions: FetchPartition[] }[];
}

/** Thrown inside the decoder when a record set is not in the v2 batch format. */
class LegacyFormat extends Error {}

/** `base + delta` as kafkajs prints a Long: decimal, signed 64-bit. */
function plus(base: bigint, baseNumber: number | undefined, delta: number | bigint): string {
  if (baseNumber !== undefined && typeof delta === 'number') {
    const sum = baseNumber + delta;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  return String(BigInt.asIntN(64, base + BigInt(delta)));
}

function safe(v: bigint): number | undefined {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : undefined;
}

function readHeaders(r: ByteReader): Record<string, Buffer | null | (Buffer | null)[]> {
  const headers: Record<string, Buffer | null | (Buffer | null)[]> = {};
  const count = r.int();
  for (let i = 0; i < count; i++) {
    const keyLength = r.int();
    const key = keyLength === -1 ? 'null' : r.buf.toString('utf8', r.pos, r.pos + keyLength);
    if (keyLength > 0) r.pos += keyLength;
    const value = r.bytes();
    const held = Object.hasOwn(headers, key) ? headers[key] : undefined;
    // A repeated header name collects its values in an array, in order.
    setOwn(headers, key, held === undefined ? value : Array.isArray(held) ? [...held, value] : [held, value]);
  }
  return headers;
}

/** One record at `r.pos` of a batch; `r` ends after it whatever its own fields said. */
function readRecord(r: ByteReader, ctx: BatchContext, firstOffset: bigint, firstOffsetNumber: number | undefined, firstTimestamp: bigint, firstTimestampNumber: number | undefined): FetchedRecord {
  const length = r.int();
  const end = r.pos + length;
  const attributes = r.int8();
  const timestampDelta = r.varint();
  const timestamp = ctx.timestampType === LOG_APPEND_TIME ? ctx.maxTimestamp : plus(firstTimestamp, firstTimestampNumber, timestampDelta);
  const offset = plus(firstOffset, firstOffsetNumber, r.varint());
  const key = r.bytes();
  const value = r.bytes();
  const headers = readHeaders(r);
  r.pos = end;
  return { magicByte: ctx.magicByte, attributes, timestamp, offset, key, value, headers, isControlRecord: ctx.isControlBatch, batchContext: ctx };
}

/** Appends the records of the batch at `r.pos` to `out`; false when the batch is cut off (the fetch's size limit). */
async function readBatch(r: ByteReader, out: FetchedRecord[]): Promise<boolean> {
  const firstOffset = r.int64();
  const length = r.int32();
  const end = r.pos + length;
  if (end > r.buf.length) return false;
  const partitionLeaderEpoch = r.int32();
  const magicByte = r.int8();
  r.pos += 4; // CRC: not checked, as kafkajs does not
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const firstTimestamp = r.int64();
  const maxTimestamp = r.int64();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const firstSequence = r.int32();
  const ctx: BatchContext = {
    firstOffset: String(firstOffset),
    firstTimestamp: String(firstTimestamp),
    partitionLeaderEpoch,
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta,
    producerId: String(producerId),
    producerEpoch,
    firstSequence,
    maxTimestamp: String(maxTimestamp),
    timestampType: (attributes & TIMESTAMP_TYPE_FLAG) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
    magicByte,
  };
  const count = r.int32();
  const codec = codecOfAttributes(attributes);
  let records: ByteReader = r;
  if (codec !== null) {
    if (count <= 0) {
      r.pos = end;
      return true;
    }
    records = new ByteReader(await codec.decompress(r.buf.subarray(r.pos, end)));
  }
  const firstOffsetNumber = safe(firstOffset);
  const firstTimestampNumber = safe(firstTimestamp);
  for (let i = 0; i < count; i++) out.push(readRecord(records, ctx, firstOffset, firstOffsetNumber, firstTimestamp, firstTimestampNumber));
  r.pos = end;
  return true;
}

/** The records of one partition's record set (int32 size, then batches), as kafkajs' decodeMessages. */
async function readRecordSet(r: ByteReader): Promise<FetchedRecord[]> {
  const size = r.int32();
  if (size <= 0) return [];
  if (r.pos + size > r.buf.length) {
    r.pos = r.buf.length;
    return [];
  }
  const set = new ByteReader(r.buf.subarray(r.pos, r.pos + size));
  r.pos += size;
  if (size <= MAGIC_OFFSET || set.buf.readInt8(MAGIC_OFFSET) !== 2) throw new LegacyFormat();
  const out: FetchedRecord[] = [];
  while (set.buf.length - set.pos >= RECORD_BATCH_OVERHEAD) if (!(await readBatch(set, out))) break;
  return out;
}

async function readPartition(r: ByteReader): Promise<FetchPartition> {
  const partition = r.int32();
  const errorCode = r.int16();
  const highWatermark = String(r.int64());
  const lastStableOffset = String(r.int64());
  const lastStartOffset = String(r.int64());
  const abortedCount = r.int32();
  const abortedTransactions: { producerId: string; firstOffset: string }[] = [];
  for (let i = 0; i < abortedCount; i++) abortedTransactions.push({ producerId: String(r.int64()), firstOffset: String(r.int64()) });
  const preferredReadReplica = r.int32();
  const messages = await readRecordSet(r);
  return { partition, errorCode, highWatermark, lastStableOffset, lastStartOffset, abortedTransactions, preferredReadReplica, messages };
}

/**
 * A Fetch v11 response decoded as kafkajs' `fetch/v11/response.decode` does, or undefined when a
 * partition's records are in the old message-set format (magic 0 or 1): that decoder reads those.
 */
export async function decodeFetchV11(raw: Buffer): Promise<FetchResponse | undefined> {
  const r = new ByteReader(raw);
  const clientSideThrottleTime = r.int32();
  const errorCode = r.int16();
  const sessionId = r.int32();
  const responses: FetchResponse['responses'] = [];
  try {
    const topics = r.int32();
    for (let t = 0; t < topics; t++) {
      const topicName = r.string16();
      const count = r.int32();
      const partitions: FetchPartition[] = [];
      for (let p = 0; p < count; p++) partitions.push(await readPartition(r));
      responses.push({ topicName, partitions });
    }
  } catch (error) {
    if (error instanceof LegacyFormat) return undefined;
    throw error;
  }
  // A throttleTime of 0, as kafkajs reports it: the broker did not throttle this request.
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
}
