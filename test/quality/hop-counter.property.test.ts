import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HopCounter } from '../../src/quality/hop-counter.js';
import { QualityStore } from '../../src/quality/quality-store.js';
import type { LogRecord } from '../../src/streams/record.js';

const TS = Date.UTC(2026, 0, 1, 12, 0, 30);

/**
 * One partition of `total` records read by successive dispatcher processes: each starts at the
 * offset its group committed, counts batch after batch as the counted sink does (count, then
 * commit the counts before the ack), commits some offset it has acked, and may die (kill -9)
 * after any batch, losing what it had not stored.
 */
const runs = fc.record({
  total: fc.integer({ min: 1, max: 400 }),
  batch: fc.integer({ min: 1, max: 60 }),
  crashes: fc.array(fc.record({ after: fc.integer({ min: 0, max: 20 }), commitLag: fc.integer({ min: 0, max: 200 }) }), { maxLength: 5 }),
});

describe('hop counter: exact deliveries across crashes and redelivery (fast-check, real SQLite store)', () => {
  it('counts every record delivered exactly once and every re-read record as a duplicate, whatever the crash points and offset commits', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async ({ total, batch, crashes }) => {
        const store = await QualityStore.open({ path: join(mkdtempSync(join(tmpdir(), 'millrace-hop-')), 'registry.db') });
        try {
          let committed = 0; // the group's offset: the next record to read is committed + 1
          let reads = 0;
          for (const crash of [...crashes, undefined]) {
            const counter = new HopCounter(store);
            await counter.ready('s', 'sink:a');
            let position = committed;
            for (let b = 0; position < total && (crash === undefined || b < crash.after); b++) {
              const end = Math.min(total, position + batch);
              const positions = Array.from({ length: end - position }, (_, k) => position + k + 1);
              const records: LogRecord[] = positions.map(() => ({ value: 'x', ts: TS }));
              counter.count({ stream: 's', hop: 'sink:a', records, origin: { stream: 'src/t/0', start: position, end, positions }, deliveredAt: TS + 5 });
              await counter.commit();
              reads += records.length;
              position = end;
            }
            // The offset commit lags the counts by up to commitLag records (the kill comes between them).
            committed = crash === undefined ? position : Math.max(committed, position - crash.commitLag);
          }
          const [row] = await store.refresh(new Map([['s', ['a']]]), TS + 3_600_000, 0, 7_200_000).then(() => store.rows('s'));
          expect(row?.delivered).toBe(total);
          expect(row?.duplicated).toBe(reads - total);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
