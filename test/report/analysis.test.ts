import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseSinkConfig } from '../../src/kinds/database/config.js';
import { createDatabase } from '../../src/db/open-database.js';
import { databaseKind } from '../../src/kinds/database/sink.js';
import { analyse } from '../../src/report/analysis.js';
import type { Topology } from '../../src/topology/model.js';
import { parsedRecords, recordSource } from '../kinds/database/fixtures.js';
import { run, topology } from '../runtime/harness.js';
import { expectedStats } from './expected.js';

describe('report analysis on SQLite', () => {
  it('equals the counts computed independently from the records the pipeline stored', async () => {
    // Two files, and the first 500 records of the first file sent twice: duplicates must not count.
    const first = parsedRecords(2000, 'hdfs:/logs/a.log.gz', 1);
    const second = parsedRecords(1500, 'hdfs:/logs/b.log.gz', 2);
    const records = [...first, ...second, ...first.slice(0, 500)];
    const t = topology([
      { id: 'src', role: 'source', kind: recordSource(records, 250) },
      { id: 'db', role: 'sink', kind: databaseKind, inputs: ['src'], replicas: 2 },
    ]);
    (t.nodes[1] as Topology['nodes'][number]).config = databaseSinkConfig.parse({ engine: { type: 'sqlite', path: 'report.db' }, table: 'log_events' });
    await run(t);
    const db = createDatabase({ type: 'sqlite', path: join(t.baseDir, 'report.db'), synchronous: 'normal', busyTimeoutMs: 1000, summary: true }, 'log_events', { baseDir: '/', readonly: true });
    await db.connect();
    try {
      const report = await analyse(db);
      const expected = expectedStats(records);
      expect(report.rows).toEqual(expected);
      expect(report.rows.reduce((sum, r) => sum + r.events, 0)).toBe(3500);
      expect(report.eventTypes).toEqual(['ad_click', 'ad_show', 'error', 'page_view', 'process_start', 'purchase']);
      expect(report).toMatchObject({ table: 'log_events', engine: 'sqlite' });
    } finally {
      await db.close();
    }
  });
});
