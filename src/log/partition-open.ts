import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, isErrno, parseSegmentName, segmentStem } from './fs-util.js';
import { Segment } from './segment.js';
import { countFrames, scanSegment } from './segment-scan.js';
import { SparseIndex } from './sparse-index.js';

/** What crash recovery found in one partition when the log was opened. */
export interface PartitionRecovery {
  topic: string;
  partition: number;
  /** Bytes cut off torn or corrupt tails (including whole segments dropped after a corrupt one). */
  truncatedBytes: number;
  /** Frames, complete or partial, that were discarded with those bytes. */
  droppedFrames: number;
  /** Segments whose frames were read and CRC-checked (the active one, plus sealed ones lacking a valid index). */
  segmentsScanned: number;
  /** Segment files removed because they followed a corrupt segment or an offset gap. */
  segmentsDeleted: number;
}

interface OpenOptions {
  maxRecordBytes: number;
  indexIntervalBytes: number;
}

async function readSidecar(file: string, intervalBytes: number): Promise<ReturnType<typeof SparseIndex.parse>> {
  try {
    return SparseIndex.parse(await readFile(file), intervalBytes);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Opens the segments of one partition directory and recovers it: the last
 * segment (and any sealed one without a valid index sidecar) is scanned,
 * the first torn or corrupt frame and everything after it is truncated, and
 * the log is cut before any offset gap. Sealed segments with a matching
 * sidecar are trusted: they were fsynced before the next segment existed.
 */
export async function openPartitionSegments(
  dir: string,
  topic: string,
  partition: number,
  opts: OpenOptions,
): Promise<{ segments: Segment[]; recovery: PartitionRecovery }> {
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  const bases = names
    .map((n) => parseSegmentName(n, 'log'))
    .filter((b): b is number => b !== undefined)
    .sort((a, b) => a - b);
  const known = new Set(bases);
  for (const name of names) {
    const idx = parseSegmentName(name, 'index');
    // Temp files of an interrupted atomic write, and sidecars whose log is gone.
    if (name.includes('.tmp-') || (idx !== undefined && !known.has(idx))) await rm(path.join(dir, name), { force: true });
  }

  const recovery: PartitionRecovery = {
    topic,
    partition,
    truncatedBytes: 0,
    droppedFrames: 0,
    segmentsScanned: 0,
    segmentsDeleted: 0,
  };
  const segments: Segment[] = [];
  let cut = false;
  for (const [i, base] of bases.entries()) {
    const stem = path.join(dir, segmentStem(base));
    const prev = segments[segments.length - 1];
    if (prev !== undefined && prev.nextOffset !== base) cut = true;
    const fh = await open(`${stem}.log`, 'r+');
    const size = (await fh.stat()).size;
    if (cut) {
      recovery.droppedFrames += await countFrames(fh, 0, size, opts.maxRecordBytes);
      recovery.truncatedBytes += size;
      recovery.segmentsDeleted++;
      await fh.close();
      await rm(`${stem}.log`, { force: true });
      await rm(`${stem}.index`, { force: true });
      continue;
    }
    const isLast = i === bases.length - 1;
    const sidecar = isLast ? undefined : await readSidecar(`${stem}.index`, opts.indexIntervalBytes);
    if (sidecar !== undefined && sidecar.meta.baseOffset === base && sidecar.meta.sizeBytes === size) {
      const { meta, index } = sidecar;
      segments.push(Segment.adopt(dir, base, fh, { sizeBytes: size, nextOffset: meta.nextOffset, maxTimestamp: meta.maxTimestamp, index }, true));
      continue;
    }
    const scan = await scanSegment(fh, size, base, opts.maxRecordBytes, opts.indexIntervalBytes);
    recovery.segmentsScanned++;
    if (scan.truncatedBytes > 0) await fh.truncate(scan.validBytes);
    // Kept bytes may sit only in the page cache (the writer was killed before its fsync).
    await fh.sync();
    if (scan.truncatedBytes > 0) {
      recovery.truncatedBytes += scan.truncatedBytes;
      recovery.droppedFrames += scan.droppedFrames;
      cut = true;
    }
    const seg = Segment.adopt(dir, base, fh, { sizeBytes: scan.validBytes, ...scan }, false);
    if (!isLast && !cut) await seg.seal(); // rebuild the missing/damaged sidecar
    segments.push(seg);
  }

  const last = segments[segments.length - 1];
  if (last === undefined) {
    segments.push(await Segment.create(dir, 0, opts.indexIntervalBytes));
  } else if (last.sealed || cut) {
    // The last segment is the active one: appends would make a sidecar stale.
    await rm(last.indexPath, { force: true });
    last.sealed = false;
  }
  await fsyncDir(dir);
  return { segments, recovery };
}
