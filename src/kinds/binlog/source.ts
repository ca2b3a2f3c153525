import { defineSource } from '../../actors/kind.js';
import { binlogSourceConfig, type BinlogSourceConfig } from './config.js';
import { BinlogReader } from './reader.js';

/**
 * The `binlog` source: change data capture from a MariaDB (or MySQL) server's binlog in ROW
 * format, one record per changed row: `{ database, table, op: insert|update|delete, before,
 * after, pk, gtid, position, row }`, `ts` the commit's event time, key `db.table:<pk JSON>`.
 * Values are typed (see values.ts): TIMESTAMP as an ISO instant in UTC, BIGINT beyond 2^53 and
 * DECIMAL as exact strings, bytes as `{ base64 }`.
 *
 * Delivery: at-least-once, by whole transactions. The checkpoint is the position after a
 * transaction's commit (file:pos and GTID), saved only once every record before it was
 * acknowledged by every sink; a restart resumes there, so a transaction is replayed entirely or
 * not at all, never half. Transactions that change no table the source reads move no position
 * until the next one that does.
 *
 * @example
 * sources:
 *   orders:
 *     kind: binlog
 *     url: ${BINLOG_URL}
 *     tables: [shop.orders]
 */
export const binlogSourceKind = defineSource({
  name: 'binlog',
  example: { url: 'mysql://millrace:millrace@127.0.0.1:13306', tables: ['millrace.binlog_example'], start: 'earliest' },
  description: 'Row changes of MariaDB/MySQL tables from the binlog, one record per row; commits per transaction after end-to-end acknowledgement.',
  config: binlogSourceConfig,
  create(config: BinlogSourceConfig, ctx) {
    return new BinlogReader(config, ctx);
  },
});
