import { onTestFinished } from 'vitest';
import { ensureMariaDb } from '../../infra/mariadb/server.js';
import { sql } from '../database/mariadb.js';

export const EXAMPLE_ROWS = 3000;
const PER_TRANSACTION = 100;

/**
 * What the binlog source's example reads (server "a", table millrace.binlog_example, from the
 * earliest binlog): the binlog is reset, then EXAMPLE_ROWS rows are inserted in transactions of
 * 100. Resetting the binlog is fine on the shared server: only binlog tests read it.
 */
export async function binlogExampleTable(): Promise<void> {
  const server = await ensureMariaDb('a', 13306);
  // Stops it after the test when this call started it (a shared one stays up).
  onTestFinished(() => server.stop());
  await sql(server, 'DROP TABLE IF EXISTS binlog_example');
  await sql(server, 'CREATE TABLE binlog_example (id INT PRIMARY KEY, note VARCHAR(40))');
  await sql(server, 'RESET MASTER');
  for (let from = 0; from < EXAMPLE_ROWS; from += PER_TRANSACTION) {
    const values = Array.from({ length: PER_TRANSACTION }, (_, i) => `(${from + i}, 'row ${from + i}')`).join(',');
    await sql(server, `INSERT INTO binlog_example VALUES ${values}`);
  }
}
