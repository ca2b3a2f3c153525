import { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import type { EventRow } from './event-row.js';

/** Bytes per LOCAL INFILE packet: well under the protocol's 16 MB packet limit. */
const packetBytes = 1024 * 1024;

const special = /[\\\t\n\0]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\0': '\\0' };

/** A value in LOAD DATA's default text form (tab-separated, backslash escapes, `\N` for NULL). */
function field(value: string | null): string {
  if (value === null) return '\\N';
  return special.test(value) ? value.replace(/[\\\t\n\0]/g, (c) => escapes[c] as string) : value;
}

/**
 * Event rows as the text {@link loadData} reads back exactly, in `rowColumns` order, UTF-8.
 *
 * @example
 * eventRowsText([{ file: 'a.log', line: 1, ts, day, app: 'shop', event: 'x\ty', user: null, fields: '{}' }]);
 * // 'a.log\t1\t...\tx\\ty\t\\N\t{}\n'
 */
export function eventRowsText(rows: readonly EventRow[]): Buffer {
  let text = '';
  for (const r of rows) {
    text += `${field(r.file)}\t${r.line}\t${field(r.ts)}\t${field(r.day)}\t${field(r.app)}\t${field(r.event)}\t${field(r.user)}\t${field(r.fields)}\n`;
  }
  return Buffer.from(text, 'utf8');
}

/** Rows of text values as the text {@link loadData} reads back exactly. */
export function textRowsText(rows: Iterable<readonly string[]>): Buffer {
  let text = '';
  for (const r of rows) text += `${r.map(field).join('\t')}\n`;
  return Buffer.from(text, 'utf8');
}

/** `bytes` as a stream of packet-sized pieces, for mysql2's LOCAL INFILE. */
function infile(bytes: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += packetBytes) pieces.push(bytes.subarray(at, at + packetBytes));
  return Readable.from(pieces, { objectMode: false });
}

/** The statement that reads {@link eventRowsText} / {@link textRowsText} from `source` (a quoted file name). */
export function loadDataStatement(table: string, columns: readonly string[], source = "'millrace-batch'"): string {
  return `LOAD DATA LOCAL INFILE ${source} INTO TABLE \`${table}\` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.map((c) => `\`${c}\``).join(', ')})`;
}

/**
 * Streams `rows` (`count` of them, as text) into `table` by LOAD DATA LOCAL INFILE on `conn`,
 * inside the caller's transaction, and returns how many were new: a stored key is skipped (LOCAL
 * implies IGNORE). LOCAL also turns data errors into warnings; rows are validated before, so a
 * warning beyond one per skipped key is a bug to stop at, not data to lose. The server never
 * chooses what is sent: whatever file name it asks for, it gets `rows`.
 */
export async function loadData(conn: mysql.PoolConnection, table: string, columns: readonly string[], rows: Buffer, count: number): Promise<number> {
  const [loaded] = await conn.query<mysql.ResultSetHeader>({ sql: loadDataStatement(table, columns), infileStreamFactory: () => infile(rows) });
  if (loaded.warningStatus > count - loaded.affectedRows) {
    const [warnings] = await conn.query<mysql.RowDataPacket[]>('SHOW WARNINGS LIMIT 3');
    throw new Error(
      `LOAD DATA into ${table}: ${loaded.warningStatus} warnings for ${count - loaded.affectedRows} skipped keys (${warnings.map((w) => String(w.Message)).join('; ')}): the batch is rolled back; report this with the batch's records`,
    );
  }
  return loaded.affectedRows;
}
