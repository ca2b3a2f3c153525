import { CorruptRecord, OffsetOutOfRange } from './errors.js';
import type { StoredEntry } from './entry.js';
import { checkFrame, decodeFrame } from './record-codec.js';
import type { Segment } from './segment.js';

/** Limits of one read call. */
export interface ReadLimits {
  /** Maximum number of records returned. */
  maxRecords: number;
  /** Maximum sum of on-disk frame sizes returned; the first record is returned even if larger, so reads always progress. */
  maxBytes: number;
}

/** Result of {@link EmbeddedLog.read}. */
export interface ReadResult {
  /** Records in offset order, starting at the requested offset. */
  records: StoredEntry[];
  /** Offset to read next (last returned offset + 1, or the requested offset if none). */
  nextOffset: number;
  /** High watermark when the read started: the next offset to be assigned. */
  highWatermark: number;
  /** First offset still retained. */
  logStartOffset: number;
}

/** What the reader needs from a partition. */
export interface ReadablePartition {
  readonly topic: string;
  readonly partition: number;
  readonly segments: readonly Segment[];
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly maxRecordBytes: number;
  readonly indexIntervalBytes: number;
}

const MIN_READ_BYTES = 64 * 1024;

function findSegment(segments: readonly Segment[], offset: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found: Segment | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const seg = segments[mid];
    if (seg !== undefined && seg.baseOffset <= offset) {
      found = seg;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/**
 * Reads records from `offset` up to the high watermark observed at the
 * start, across segments, within `limits`. Frames are CRC-checked.
 */
export async function readPartition(p: ReadablePartition, offset: number, limits: ReadLimits): Promise<ReadResult> {
  const hw = p.highWatermark;
  const start = p.logStartOffset;
  if (!Number.isSafeInteger(offset) || offset < start || offset > hw) {
    throw new OffsetOutOfRange(p.topic, p.partition, offset, start, hw);
  }
  const out: StoredEntry[] = [];
  const budget = { bytes: 0 };
  let next = offset;
  while (next < hw && out.length < limits.maxRecords) {
    const seg = findSegment(p.segments, next);
    if (seg === undefined || !seg.acquire()) {
      // Retention deleted the segment while we were reading.
      if (out.length > 0) break;
      throw new OffsetOutOfRange(p.topic, p.partition, next, p.logStartOffset, p.highWatermark);
    }
    try {
      const before = next;
      next = await readSegment(p, seg, next, hw, limits, out, budget);
      if (next === before || (out.length > 0 && budget.bytes >= limits.maxBytes)) break;
    } finally {
      seg.release();
    }
  }
  return { records: out, nextOffset: next, highWatermark: hw, logStartOffset: p.logStartOffset };
}

/** Appends records of one segment to `out`; returns the next offset to read. */
async function readSegment(
  p: ReadablePartition,
  seg: Segment,
  from: number,
  hw: number,
  limits: ReadLimits,
  out: StoredEntry[],
  budget: { bytes: number },
): Promise<number> {
  const limit = seg.size; // sampled after hw, so it covers every offset < hw in this segment
  let pos = seg.index.lookup(from);
  let next = from;
  while (pos < limit && next < hw && out.length < limits.maxRecords) {
    const want = Math.max(MIN_READ_BYTES, limits.maxBytes - budget.bytes + p.indexIntervalBytes);
    let buf = await seg.readAt(pos, want, limit);
    let at = 0;
    while (at < buf.length && next < hw && out.length < limits.maxRecords) {
      let c = checkFrame(buf, at, buf.length, p.maxRecordBytes);
      if (c.status === 'incomplete' && at === 0 && c.frameBytes !== undefined && pos + c.frameBytes <= limit) {
        buf = await seg.readAt(pos, c.frameBytes, limit); // a single frame larger than the read size
        c = checkFrame(buf, at, buf.length, p.maxRecordBytes);
      }
      if (c.status === 'incomplete') {
        if (at === 0) throw new CorruptRecord(p.topic, p.partition, next, 'frame overruns segment');
        break;
      }
      if (c.status === 'corrupt') throw new CorruptRecord(p.topic, p.partition, next, c.reason);
      if (c.offset > next) throw new CorruptRecord(p.topic, p.partition, next, `offset gap to ${c.offset}`);
      if (c.offset === next) {
        if (out.length > 0 && budget.bytes + c.frameBytes > limits.maxBytes) return next;
        out.push(decodeFrame(buf, at));
        budget.bytes += c.frameBytes;
        next++;
      }
      at += c.frameBytes;
    }
    pos += at;
    if (out.length > 0 && budget.bytes >= limits.maxBytes) break;
  }
  return next;
}
