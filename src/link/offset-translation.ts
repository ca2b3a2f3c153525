/**
 * Header a receiver (`sourceOffsetHeader: true`) gives each mirrored record: the record's offset in
 * its source partition, in decimal. The destination partition holds the link's records in source
 * order, so these values rise with the destination offset.
 */
export const SOURCE_OFFSET_HEADER = 'millrace.source-offset';

/** A record of a destination partition: its offset there, and its source offset when it carries one. */
export interface DestinationEntry {
  offset: number;
  sourceOffset: number | undefined;
}

/** Reads a destination partition: entries from `offset` on, in order (at least one when there is one before `high`). */
export type ReadFrom = (offset: number) => Promise<readonly DestinationEntry[]>;

/**
 * Where a consumer of the destination partition goes on from, for a group that committed
 * `committed` on the source partition (the next source offset it would read): the first
 * destination offset holding a record with source offset `committed` or later, or `high` when
 * none is there yet. Every mirrored record before it came from before `committed`, every one from
 * it on from `committed` or later: exact however the source offsets are spread (compaction,
 * transaction markers, filtered records), unlike a translation by distance from a sync point.
 * Records without a source offset (another writer's) never decide it; undefined when the
 * partition holds records but none with a source offset (nothing to go by: the receiver does not
 * set sourceOffsetHeader). A binary search: about log2(high - low) reads.
 */
export async function destinationOffsetFor(committed: number, low: number, high: number, read: ReadFrom): Promise<number | undefined> {
  let lo = low;
  let hi = high;
  let marked = false;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const found = await firstWithSource(mid, hi, read);
    marked ||= found !== undefined;
    if (found === undefined || (found.sourceOffset as number) >= committed) hi = mid;
    else lo = found.offset + 1;
  }
  // The probes together scanned [lo, high): with none found there nor below, none is anywhere.
  return marked || high === low ? lo : undefined;
}

/** The first entry in [from, before) that carries a source offset. */
async function firstWithSource(from: number, before: number, read: ReadFrom): Promise<DestinationEntry | undefined> {
  for (let next = from; next < before; ) {
    const entries = (await read(next)).filter((e) => e.offset >= next && e.offset < before);
    if (entries.length === 0) return undefined;
    const hit = entries.find((e) => e.sourceOffset !== undefined);
    if (hit !== undefined) return hit;
    next = (entries[entries.length - 1] as DestinationEntry).offset + 1;
  }
  return undefined;
}
