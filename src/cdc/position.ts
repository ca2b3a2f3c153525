import type { WatchRule } from './watch.js';

/**
 * Where a binlog reader stands, between transactions: the binlog file and the offset after the
 * last event of the last whole transaction read, with the GTID position then (the last GTID of
 * each replication domain, MariaDB style `0-1-42,1-1-7`; a MySQL `uuid:n` per source). It is
 * what the source checkpoints, only after every record before it was acknowledged.
 */
export interface BinlogPosition {
  file: string;
  pos: number;
  gtid: string;
  /** With a watch table: its rules as of this position. */
  watch?: WatchRule[];
  /** A batch of the initial snapshot (not its last): committing it saves nothing. */
  snapshot?: true;
}

/** `file:pos (gtid)`, for logs and errors. */
export function positionLabel(p: BinlogPosition): string {
  return `${p.file}:${p.pos}${p.gtid === '' ? '' : ` (GTID ${p.gtid})`}`;
}

/** The replication domain of a GTID: `0` of MariaDB's `0-1-42`, the uuid of MySQL's `uuid:42`. */
function domainOf(gtid: string): string {
  const colon = gtid.lastIndexOf(':');
  return colon >= 0 ? gtid.slice(0, colon) : (gtid.split('-')[0] ?? gtid);
}

/** A GTID position with `gtid` as its domain's latest. */
export function advanceGtid(position: string, gtid: string): string {
  const domain = domainOf(gtid);
  const kept = position === '' ? [] : position.split(',').filter((g) => domainOf(g) !== domain);
  return [...kept, gtid].sort().join(',');
}

/** Whether a checkpoint value is a position this source wrote. */
export function isBinlogPosition(value: unknown): value is BinlogPosition {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.file === 'string' && typeof v.pos === 'number' && typeof v.gtid === 'string';
}
