import type { AnyBinlogEvent, QueryEvent } from '@vlasky/zongji';
import type { LogRecord } from '../../streams/record.js';
import { advanceGtid, type BinlogPosition } from './position.js';
import { keyColumns, rowRecords, type RowsEvent } from './row-changes.js';

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
    if (table === undefined || !this.keep(table.parentSchema, table.tableName)) return;
    this.open ??= { gtid: event.gtid, standalone: false, records: [] };
    const records = rowRecords(event, this.keys.get(event.tableId) ?? [], {
      gtid: this.open.gtid,
      position: `${this.file}:${event.nextPosition}`,
      firstRow: this.open.records.length,
    });
    for (const r of records) this.open.records.push(r);
  }

  private commit(nextPosition: number): Transaction {
    const done = this.open;
    this.open = undefined;
    if (done?.gtid !== undefined) this.gtid = advanceGtid(this.gtid, done.gtid);
    return { records: done?.records ?? [], position: { file: this.file, pos: nextPosition, gtid: this.gtid } };
  }
}
