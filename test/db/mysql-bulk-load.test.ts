import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlDatabase } from '../../src/db/mysql.js';
import { columnLimits, type EventRow } from '../../src/db/event-row.js';
import { ensureMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { mysqlUrl, sql, uniqueTable } from '../kinds/database/mariadb.js';

/** Text full of what LOAD DATA's text form treats specially, and characters beyond the BMP. */
const awkward = (max: number): fc.Arbitrary<string> =>
  fc
    .array(fc.oneof(fc.constantFrom('\\', '\t', '\n', '\r', '\0', '\\N', 'N', '"', "'", ',', 'é', '😀', ' '), fc.string({ unit: 'grapheme', maxLength: 3 })), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join('').slice(0, max))
    .filter((s) => s.length > 0 && !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));

const row = (file: string, line: number): fc.Arbitrary<EventRow> =>
  fc.record({
    app: awkward(columnLimits.app),
    event: awkward(columnLimits.event),
    user: fc.option(awkward(columnLimits.user), { nil: null }),
    note: fc.string({ maxLength: 20 }),
  }).map((r) => ({ file, line, ts: '2026-12-01T10:00:00.000Z', day: '2026-12-01', app: r.app, event: r.event, user: r.user, fields: JSON.stringify({ note: r.note }) }));

/** Needs a real MariaDB: the shared test server "a" (test/infra/mariadb), or MILLRACE_MYSQL_URL. */
describe('the MariaDB sink loading batches with LOAD DATA LOCAL INFILE', () => {
  let server: MariaDbHandle;
  const tables: string[] = [];

  beforeAll(async () => {
    server = await ensureMariaDb('a', 13306);
  }, 180_000);

  afterAll(async () => {
    for (const t of tables) await sql(server, `DROP TABLE IF EXISTS \`${t}\`, \`${t}_counts\`, \`${t}_users\``);
    await server.stop();
  });

  it('stores every value exactly as given: tabs, newlines, backslashes, NUL, \\N and astral characters', async () => {
    const table = uniqueTable('infile');
    tables.push(table);
    const db = new MysqlDatabase({ type: 'mysql', url: mysqlUrl(server), pool: 2, connectTimeoutMs: 5000, load: 'infile', summary: true }, table);
    await db.connect();
    await db.ensureSchema();
    let batch = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => row(`f${batch}\t\\${i % 2 === 0 ? '\n' : ''}.log`, i + 1)))), async (rows) => {
          batch += 1;
          const file = `b${batch}\\\t\n😀.log`;
          const sent = rows.map((r) => ({ ...r, file }));
          expect(await db.insert(sent)).toBe(sent.length);
          expect(await db.insert(sent)).toBe(0);
          const stored = await db.query(`SELECT file, line, ts, day, app, event, user, fields FROM \`${table}\` WHERE file = ? ORDER BY line`, [file]);
          expect(stored.map((r) => ({ ...r, line: Number(r.line), fields: JSON.stringify(typeof r.fields === 'string' ? JSON.parse(r.fields) : r.fields) }))).toEqual(sent);
        }),
        { numRuns: 25 },
      );
      const [counted] = await db.query(`SELECT SUM(n) AS n FROM \`${table}_counts\``);
      const [total] = await db.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
      expect(Number(counted?.n)).toBe(Number(total?.n));
    } finally {
      await db.close();
    }
  }, 120_000);
});
