import { describe, expect, it } from 'vitest';
import { QualityStore } from '../../src/quality/quality-store.js';
import { useMariaDbDatabase } from '../kinds/database/mariadb.js';

const WINDOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('quality tables on MariaDB (real server)', () => {
  const db = useMariaDbDatabase('quality');

  it('adds counts, keeps the highest mark, joins rows and alerts a short window once, as on SQLite', async () => {
    const store = await QualityStore.open({ url: db.url });
    try {
      const hop = (name: string, records: number, updatedMs = WINDOW + 61_000) => ({ stream: 's', windowStart: WINDOW, hop: name, records, duplicates: 0, updatedMs });
      await store.add({ counts: [hop('gateway', 100), hop('sink:a', 60)], latency: [{ stream: 's', windowStart: WINDOW, hop: 'sink:a', bucket: 70, records: 60 }], marks: [{ stream: 's', hop: 'sink:a', origin: 'src/t/0', position: 59 }] });
      await store.add({ counts: [hop('sink:a', 30)], latency: [], marks: [{ stream: 's', hop: 'sink:a', origin: 'src/t/0', position: 20 }] });
      expect(await store.marks('s', 'sink:a')).toEqual(new Map([['src/t/0', 59]]));
      const sinks = new Map([['s', ['a', 'b']]]);
      const alerted = await store.refresh(sinks, WINDOW + 600_000, 60_000, 3_600_000 * 24 * 365 * 10);
      expect(alerted.map((r) => [r.sink, r.lost])).toEqual([
        ['a', 10],
        ['b', 100],
      ]);
      expect(await store.refresh(sinks, WINDOW + 601_000, 60_000, 3_600_000 * 24 * 365 * 10)).toEqual([]);
      expect(await store.rows('s')).toMatchObject([
        { sink: 'a', received: 100, delivered: 90, lost: 10, p50Ms: Math.round(1.1 ** 70), state: 'lost', alerted: true },
        { sink: 'b', received: 100, delivered: 0, lost: 100, p50Ms: null, state: 'lost', alerted: true },
      ]);
    } finally {
      await store.close();
    }
  }, 60_000);
});
