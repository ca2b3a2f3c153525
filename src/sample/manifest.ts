import type { SampleEncoding } from './encode.js';
import type { SampleEvent } from './vocabulary.js';
import type { ZstdMaker } from './zstd.js';

/** One sample file as written. */
export interface ManifestFile {
  /** Path relative to the sample directory, e.g. `hdfs-a/shop/2026-11-14/part-3.log.gz`. */
  path: string;
  codec: 'gzip' | 'lz4' | 'zstd';
  encoding: SampleEncoding;
  /** Lines written (before any damage). */
  lines: number;
  /** Lines the millrace format rejects. */
  unparseable: number;
  /** Undecodable bytes written (each decodes to one U+FFFD). */
  replaced: number;
  crlf: boolean;
  /** gzip written as several members. */
  multiMember: boolean;
  /** Damage done to the archive: `corrupt` (bytes flipped mid-file) or `truncated`. */
  damage?: 'corrupt' | 'truncated';
}

/** Good-line counts per app, day and event. */
export type EventCounts = Record<string, Record<string, Partial<Record<SampleEvent, number>>>>;

/**
 * `<dir>/MANIFEST.json`: what a correct pipeline must find in the sample. `counts` and the
 * totals cover undamaged files; a damaged file yields one dead-letter entry plus whatever lines
 * its codec decoded before the damage (at most `lines` of them), counted nowhere here.
 */
export interface Manifest {
  version: 1;
  seed: number;
  roots: string[];
  days: string[];
  linesPerFile: number;
  zstd: ZstdMaker;
  totals: {
    files: number;
    lines: number;
    goodLines: number;
    unparseableLines: number;
    replacedChars: number;
    damagedFiles: number;
    damagedLines: number;
  };
  counts: EventCounts;
  files: ManifestFile[];
}

/** Adds one good line to the counts. */
export function countEvent(
  counts: EventCounts,
  app: string,
  day: string,
  event: SampleEvent,
): void {
  const days = (counts[app] ??= {});
  const events = (days[day] ??= {});
  events[event] = (events[event] ?? 0) + 1;
}
