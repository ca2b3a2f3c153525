import type { AnyBinlogEvent, QueryEvent } from '@vlasky/zongji';
import type { Json, LogRecord } from '../streams/record.js';
import { advanceGtid, type BinlogPosition } from './position.js';
import { keyColumns, rowRecords, type RowsEvent } from './row-changes.js';
import type { WatchRules } from './watch.js';

/** The watch table (`db.table`) and its rules, which its own row changes update. */
export interface Watch {
  table: string;
  rules: WatchRules;
}

/** A committed transaction: its row changes (those the filter keeps) and the position after it. */
export interface Transaction {
  records: LogRecord[];
  position: BinlogPosition;
}

/** Whether row changes of `database`.`table` are read. */
export type TableFilter = (database: string, table: string) => boolean;

/** A statement that ends a transaction of a non-transactional engine (MyISAM, Aria). */
const isCommit = (event: QueryEvent): boolean => event.query.trim().toUpperCase() === 'COMMIT';

/**
 * Turns the binlog's event stream into whole transactions: rows events are held until their
 * transaction's XID (or COMMIT query, or the end of a standalone DDL group) arrives, so a
 * transaction is delivered entirely or not at all, and the position after it is the only place a
 * reader can stop and resume without splitting it.
 */
export class TransactionAssembler {
  private file: string;
  private gtid: string;
  private open: { gtid: string | undefined; standalone: boolean; records: LogRecord[] } | undefined;
  private readonly keys = new Map<number, string[]>();

  constructor(
    start: BinlogPosition,
    private readonly keep: TableFilter,
    private readonly watch?: Watch,
  ) {
    this.file = start.file;
    this.gtid = start.gtid;
  }

  /** The transaction this event completes, if it completes one. */
  push(event: AnyBinlogEvent): Transaction | undefined {
    switch (event.getEventName()) {
      case 'rotate': {
        const rotate = event as Extract<AnyBinlogEvent, { getEventName(): 'rotate' }>;
        this.file = rotate.binlogName;
        return undefined;
      }
      case 'mariadbgtid': {
        const begin = event as Extract<AnyBinlogEvent, { getEventName(): 'mariadbgtid' }>;
        this.open = { gtid: begin.gtid, standalone: begin.standalone, records: [] };
        return undefined;
      }
      case 'gtid':
      case 'anonymousgtid': {
        const begin = event as Extract<AnyBinlogEvent, { getEventName(): 'gtid' }>;
        this.open = { gtid: begin.gtid, standalone: false, records: [] };
        return undefined;
      }
      case 'tablemap': {
        const map = event as Extract<AnyBinlogEvent, { getEventName(): 'tablemap' }>;
        this.keys.set(map.tableId, keyColumns(map));
        return undefined;
      }
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        this.rows(event as RowsEvent);
        return undefined;
      case 'xid':
        return this.commit(event.nextPosition);
      case 'query': {
        const query = event as QueryEvent;
        if (this.open !== undefined && (this.open.standalone || isCommit(query))) return this.commit(event.nextPosition);
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private rows(event: RowsEvent): void {
    const table = event.tableMap[event.tableId];
    if (table === undefined) return;
    const watchTable = this.watch !== undefined && `${table.parentSchema}.${table.tableName}` === this.watch.table;
    if (!watchTable && !this.keep(table.parentSchema, table.tableName)) return;
    this.open ??= { gtid: event.gtid, standalone: false, records: [] };
    const records = rowRecords(event, this.keys.get(event.tableId) ?? [], {
      gtid: this.open.gtid,
      position: `${this.file}:${event.nextPosition}`,
      firstRow: this.open.records.length,
    });
    for (const r of records) {
      const v = r.value as { [key: string]: Json };
      if (watchTable) {
        this.watch?.rules.apply(v.before as { [column: string]: Json } | null, v.after as { [column: string]: Json } | null);
        continue;
      }
      if (this.watch !== undefined) v.watch = this.watch.rules.forTable(table.parentSchema, table.tableName);
      this.open.records.push(r);
    }
  }

  private commit(nextPosition: number): Transaction {
    const done = this.open;
    this.open = undefined;
    if (done?.gtid !== undefined) this.gtid = advanceGtid(this.gtid, done.gtid);
    const position: BinlogPosition = { file: this.file, pos: nextPosition, gtid: this.gtid };
    if (this.watch !== undefined) position.watch = this.watch.rules.list();
    return { records: done?.records ?? [], position };
  }
}
