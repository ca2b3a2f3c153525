/**
 * The writer thread of a SQLite database (see sqlite-thread.ts): owns a write connection and
 * stores the flat rows it is sent, one transaction per message, answering with the count of new
 * rows or the error; a message without rows closes the connection.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SqlParam } from './database.js';
import { flatInserter, openSqlite } from './sqlite-insert.js';
import type { WriterReply, WriterRequest, WriterSetup } from './sqlite-thread.js';

const setup = workerData as WriterSetup;
const port = parentPort;
if (port !== null) {
  const db = openSqlite(setup.path, setup, false);
  let insert: ((flat: readonly SqlParam[]) => number) | undefined;
  port.on('message', (message: WriterRequest) => {
    let reply: WriterReply;
    try {
      if (message.flat === undefined) {
        db.close();
        reply = { id: message.id, inserted: 0 };
      } else {
        // Prepared at the first insert: the table exists by then (ensureSchema ran on the caller's connection).
        insert ??= flatInserter(db, setup.table, setup.summary);
        reply = { id: message.id, inserted: insert(message.flat) };
      }
    } catch (error) {
      reply = { id: message.id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: 0, inserted: 0 } satisfies WriterReply);
}
