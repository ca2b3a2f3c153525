import { readFileSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { parseMillraceLine } from '../src/formats/line-format.js';

// The parse floor's work (see pipeline-bounds.ts), kept apart with few imports so that a worker
// thread of the two-thread floor loads little besides line-format.ts. Started as a thread
// (workerData.files), it parses its share of the files and posts the counts back.

/** A sample file to read: absolute path and declared encoding. */
export interface BoundFile {
  path: string;
  /** The manifest's name of the file, e.g. `hdfs-a/shop/2026-11-14/part-3.log.gz`. */
  name: string;
  encoding: string;
}

/** What {@link parseFiles} did. */
export interface FloorCounts {
  /** Files parsed (gzip that decompressed). */
  files: number;
  /** Files skipped: not gzip (no magic bytes). */
  notGzip: number;
  /** Files skipped: gunzip failed (corrupt or truncated). */
  corrupt: number;
  /** Decompressed bytes of the files parsed. */
  bytes: number;
  /** Compressed bytes of the files parsed. */
  compressedBytes: number;
  /** Non-empty lines parsed, and how many parseMillraceLine accepted. */
  lines: number;
  parsed: number;
}

const decoders = new Map<string, TextDecoder>();

/** Decompressed bytes of a gzip file, or why it was skipped. */
export function gunzip(path: string): { bytes: Buffer; compressed: number } | 'notGzip' | 'corrupt' {
  const raw = readFileSync(path);
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return 'notGzip';
  try {
    return { bytes: gunzipSync(raw), compressed: raw.length };
  } catch {
    return 'corrupt';
  }
}

/** Text of decompressed bytes in the file's declared encoding, without a leading BOM. */
export function decode(bytes: Buffer, encoding: string): string {
  if (encoding === 'utf-8' || encoding === 'utf8') {
    const text = bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }
  let decoder = decoders.get(encoding);
  if (decoder === undefined) decoders.set(encoding, (decoder = new TextDecoder(encoding)));
  // TextDecoder drops a leading BOM itself.
  return decoder.decode(bytes);
}

/** Calls `each` with every non-empty line of `text` and its 1-based line number, as the split stage splits. */
export function forEachLine(text: string, each: (line: string, number: number) => void): number {
  const parts = text.split('\n');
  const n = parts.length > 0 && parts[parts.length - 1] === '' ? parts.length - 1 : parts.length;
  let lines = 0;
  for (let i = 0; i < n; i++) {
    let line = parts[i] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    lines += 1;
    each(line, i + 1);
  }
  return lines;
}

/** The parse floor's work over `files`, on the calling thread. */
export function parseFiles(files: readonly BoundFile[]): FloorCounts {
  const counts: FloorCounts = { files: 0, notGzip: 0, corrupt: 0, bytes: 0, compressedBytes: 0, lines: 0, parsed: 0 };
  let parsed = 0;
  const parse = (line: string): void => {
    if (parseMillraceLine(line).ok) parsed += 1;
  };
  for (const file of files) {
    const got = gunzip(file.path);
    if (typeof got === 'string') {
      counts[got] += 1;
      continue;
    }
    counts.files += 1;
    counts.bytes += got.bytes.length;
    counts.compressedBytes += got.compressed;
    counts.lines += forEachLine(decode(got.bytes, file.encoding), parse);
  }
  counts.parsed = parsed;
  return counts;
}

if (!isMainThread && Array.isArray((workerData as { files?: unknown } | null)?.files)) {
  parentPort?.postMessage(parseFiles((workerData as { files: BoundFile[] }).files));
}
