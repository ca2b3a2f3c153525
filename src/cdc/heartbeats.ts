import type { Json, LogRecord } from '../streams/record.js';
import type { BinlogPosition } from './position.js';

/**
 * When each table read last had a record (a change or a heartbeat), to give the quiet ones a
 * heartbeat every `everyMs`: `{ op: 'heartbeat', database, table, position, gtid }` with `ts` now,
 * so consumers downstream can advance their watermarks on idle tables. Tables are those named in
 * `tables` (without `*`) and those seen changing since the source started.
 */
export class Heartbeats {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly everyMs: number,
    named: readonly string[],
    now: number,
  ) {
    for (const t of named) if (!t.endsWith('.*')) this.last.set(t, now);
  }

  /** Notes the tables of records handed out. */
  saw(records: readonly LogRecord[], now: number): void {
    for (const r of records) {
      const v = r.value as { [key: string]: Json };
      this.last.set(`${String(v.database)}.${String(v.table)}`, now);
    }
  }

  /** Milliseconds until the next heartbeat is due. */
  dueIn(now: number): number {
    let next = Infinity;
    for (const at of this.last.values()) next = Math.min(next, at + this.everyMs - now);
    return Math.max(0, next);
  }

  /** The heartbeats due now, at `position`. */
  take(position: BinlogPosition, now: number): LogRecord[] {
    const out: LogRecord[] = [];
    for (const [table, at] of this.last) {
      if (now - at < this.everyMs) continue;
      this.last.set(table, now);
      const dot = table.indexOf('.');
      const value = { op: 'heartbeat', database: table.slice(0, dot), table: table.slice(dot + 1), position: `${position.file}:${position.pos}`, gtid: position.gtid };
      out.push({ value, key: `${table}:heartbeat`, ts: now });
    }
    return out;
  }
}
