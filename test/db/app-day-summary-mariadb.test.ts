import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlDatabase } from '../../src/db/mysql.js';
import { analyse } from '../../src/report/analysis.js';
import { ensureMariaDb, type MariaDbHandle } from '../infra/mariadb/server.js';
import { mysqlUrl, sql, uniqueTable } from '../kinds/database/mariadb.js';
import { eventRow, scanning, withoutTime } from './summary-kit.js';

/** Rows over a small universe, so batches overlap and repeat. */
const row = fc.record({
  file: fc.constantFrom('a.log', 'b.log'),
  line: fc.integer({ min: 1, max: 30 }),
  app: fc.constantFrom('shop', 'ünï'),
  day: fc.constantFrom('2026-11-30', '2026-12-01'),
  event: fc.constantFrom('ad_show', 'ad_click', 'purchase'),
  user: fc.option(fc.constantFrom('u1', 'u2', 'U1'), { nil: null }),
});

/** Needs a real MariaDB: the shared test server "a" (test/infra/mariadb). */
describe('the app/day summary on MariaDB', () => {
  let server: MariaDbHandle;
  const tables: string[] = [];
  const open = (table: string, summary = true, load: 'infile' | 'insert' = 'infile'): MysqlDatabase =>
    new MysqlDatabase({ type: 'mysql', url: mysqlUrl(server), pool: 4, connectTimeoutMs: 5000, load, summary }, table);

  beforeAll(async () => {
    server = await ensureMariaDb('a', 13306);
  }, 180_000);

  afterAll(async () => {
    for (const t of tables) await sql(server, `DROP TABLE IF EXISTS \`${t}\`, \`${t}_counts\`, \`${t}_users\``);
    await server.stop();
  });

  it.each(['infile', 'insert'] as const)('gives the report the scan gives, whatever batches two writers send at once, replayed or overlapping (load: %s)', async (load) => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(row, { maxLength: 25 }), { maxLength: 8 }), async (batches) => {
        const table = uniqueTable('summary');
        tables.push(table);
        const [first, second] = [open(table, true, load), open(table, true, load)];
        await first.connect();
        await second.connect();
        try {
          await Promise.all([first.ensureSchema(), second.ensureSchema()]);
          // The two writers run concurrently: batch i on writer i % 2.
          const stored = await Promise.all([0, 1].map(async (w) => {
            let n = 0;
            for (const [i, batch] of batches.entries()) if (i % 2 === w) n += await (w === 0 ? first : second).insert(batch.map(eventRow));
            return n;
          }));
          const fromSummary = await analyse(first);
          expect(await first.summary()).toBeDefined();
          expect(withoutTime(fromSummary)).toEqual(withoutTime(await analyse(scanning(first))));
          expect(fromSummary.rows.reduce((sum, r) => sum + r.events, 0)).toBe(stored[0]! + stored[1]!);
        } finally {
          await first.close();
          await second.close();
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('is built from the rows already stored when the table had none, and dropped with summary: false', async () => {
    const table = uniqueTable('summary');
    tables.push(table);
    const bare = open(table, false);
    await bare.connect();
    await bare.ensureSchema();
    const rows = Array.from({ length: 200 }, (_, i) => eventRow({ file: 'old.log', line: i + 1, app: i % 3 === 0 ? 'game' : 'shop', day: '2026-12-01', event: i % 4 === 0 ? 'ad_click' : 'ad_show', user: i % 5 === 0 ? null : `u${i % 13}` }));
    await bare.insert(rows);
    expect(await bare.summary()).toBeUndefined();
    const scanned = withoutTime(await analyse(bare));
    await bare.close();

    const keeping = open(table);
    await keeping.connect();
    try {
      await keeping.ensureSchema();
      expect(await keeping.summary()).toBeDefined();
      expect(withoutTime(await analyse(keeping))).toEqual(scanned);
      expect(await keeping.insert([rows[0]!, eventRow({ file: 'new.log', line: 1, app: 'shop', day: '2026-12-01', event: 'ad_show', user: 'someone' })])).toBe(1);
      expect((await analyse(keeping)).rows.reduce((sum, r) => sum + r.events, 0)).toBe(201);
    } finally {
      await keeping.close();
    }
    const again = open(table, false);
    await again.connect();
    try {
      await again.ensureSchema();
      expect(await again.summary()).toBeUndefined();
    } finally {
      await again.close();
    }
  }, 60_000);
});
