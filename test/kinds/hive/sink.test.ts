// The hive sink on the local backend: layout, schema errors, replay, partition commit by
// watermark and by idleness, the hook, compaction. The crash test is kill.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SinkIO } from '../../../src/actors/io.js';
import { hiveSinkKind } from '../../../src/kinds/hive/sink.js';
import { actorContext } from '../../kit/actor-context.js';
import { eventually } from '../../kit/eventually.js';
import { event, eventColumns, filesBelow, readTable, streamBatch } from './helpers.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 6, 3, 0, 0);

async function openSink(dir: string, over: Record<string, unknown> = {}): Promise<SinkIO> {
  const config = hiveSinkKind.config.parse({
    backend: { type: 'local', dir: 'warehouse' },
    table: 'db/events',
    columns: eventColumns,
    timeField: 'ts',
    compaction: { enabled: false },
    ...over,
  });
  const io = await hiveSinkKind.create(config as never, actorContext({ dir, id: 'hive' }));
  await io.connect();
  return io;
}

const tableDir = (dir: string): string => join(dir, 'warehouse', 'db', 'events');

describe('hive sink', () => {
  it('writes rows as Parquet under dt=/hour= partitions of their event time, visible only once committed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const io = await openSink(dir);
    const records = [event(1, T0 + 10), event(2, T0 + HOUR + 5), event(3, T0 + 20)];
    await io.write(streamBatch(records, 'src/t/0', 0));
    const table = await readTable(tableDir(dir));
    expect([...table.keys()].sort()).toEqual(['dt=2026-12-06/hour=03', 'dt=2026-12-06/hour=04']);
    expect(table.get('dt=2026-12-06/hour=03')?.map((r) => r.seq)).toEqual([1n, 3n]);
    expect(table.get('dt=2026-12-06/hour=04')?.[0]).toEqual({ seq: 2n, ts: new Date(T0 + HOUR + 5), message: 'event 2' });
    expect(filesBelow(tableDir(dir)).filter((f) => f.includes('.inprogress'))).toEqual([]);
    await io.close();
  });

  it('dead-letters a record that does not fit the schema with its field and reason, and writes the rest of the batch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const io = await openSink(dir);
    const records = [event(1, T0), { value: '{"seq": "x1", "ts": 1}', ts: 0 }, { value: 'not json', ts: 0 }, { value: JSON.stringify({ ts: T0 }), ts: 0 }, event(5, T0)];
    const result = await io.write(streamBatch(records, 'src/t/0', 0));
    expect(result?.dead?.map((d) => d.reason)).toEqual([
      'hive sink db/events: field seq: expected a 64-bit integer, found string "x1"',
      expect.stringMatching(/^hive sink db\/events: field \(record\): not JSON: /),
      'hive sink db/events: field seq: missing in a required column',
    ]);
    expect((await readTable(tableDir(dir))).get('dt=2026-12-06/hour=03')?.map((r) => r.seq)).toEqual([1n, 5n]);
    await io.close();
  });

  it('skips records of a batch replayed after a restart that are already in committed files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const first = await openSink(dir);
    const records = Array.from({ length: 10 }, (_, i) => event(i, T0 + i));
    await first.write(streamBatch(records.slice(0, 6), 'src/t/0', 0));
    await first.close();
    const second = await openSink(dir);
    // The source resumes from an older commit: positions 1..10, of which 1..6 are stored.
    await second.write(streamBatch(records, 'src/t/0', 0));
    await second.close();
    const seqs = (await readTable(tableDir(dir))).get('dt=2026-12-06/hour=03')?.map((r) => Number(r.seq));
    expect(seqs?.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('commits a partition once the watermark passes its end plus the delay: _SUCCESS and the hook, once, and late records are dead-lettered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const hookLog = join(dir, 'hook.log');
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\necho "$HIVE_TABLE $HIVE_PARTITION" >> ${hookLog}\n`, { mode: 0o755 });
    const io = await openSink(dir, { partition: { delayMs: 10 * 60_000, hook: [hook] } });
    const success = join(tableDir(dir), 'dt=2026-12-06/hour=03/_SUCCESS');
    let pos = 0;
    const write = async (...times: number[]): Promise<{ dead?: { reason: string }[] } | void> => {
      const batch = streamBatch(times.map((t, i) => event(pos + i, t)), 'src/t/0', pos);
      pos += times.length;
      return io.write(batch);
    };
    await write(T0 + 1, T0 + HOUR - 1);
    await write(T0 + HOUR + 9 * 60_000); // watermark 04:09: within the delay
    await new Promise((r) => setTimeout(r, 1500));
    expect(existsSync(success), 'not before end + delay').toBe(false);
    await write(T0 + HOUR + 10 * 60_000); // watermark 04:10 = end of 03 + 10 min
    await eventually(() => existsSync(success), { what: '_SUCCESS of hour 03' });
    await eventually(() => readFileSync(hookLog, 'utf8') === 'db/events dt=2026-12-06/hour=03\n', { what: 'the hook run once' });
    const late = await write(T0 + 30 * 60_000, T0 + HOUR + 11 * 60_000);
    expect(late?.dead?.map((d) => d.reason)).toEqual([expect.stringContaining('late: partition dt=2026-12-06/hour=03 is already committed')]);
    expect(existsSync(join(tableDir(dir), 'dt=2026-12-06/hour=04/_SUCCESS'))).toBe(false);
    await io.close();
    // Reopened: hour 03 stays committed (the hook does not run again), hour 04 is still open.
    const again = await openSink(dir, { partition: { delayMs: 10 * 60_000, hook: [hook] } });
    await new Promise((r) => setTimeout(r, 1200));
    await again.close();
    expect(readFileSync(hookLog, 'utf8')).toBe('db/events dt=2026-12-06/hour=03\n');
    const rows = await readTable(tableDir(dir));
    expect(rows.get('dt=2026-12-06/hour=03')?.map((r) => Number(r.seq)).sort()).toEqual([0, 1]);
  });

  it('commits a partition the watermark does not reach once it has been idle for idleMs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const io = await openSink(dir, { partition: { idleMs: 300 } });
    await io.write(streamBatch([event(1, T0)], 'src/t/0', 0));
    const success = join(tableDir(dir), 'dt=2026-12-06/hour=03/_SUCCESS');
    expect(existsSync(success)).toBe(false);
    await eventually(() => existsSync(success), { what: '_SUCCESS after idleness' });
    await io.close();
  });

  it('compacts a committed partition\'s small files into one, keeping every row once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hive-'));
    const io = await openSink(dir, { compaction: { enabled: true }, partition: { idleMs: 400 }, commit: { quietMs: 0 } });
    const records = Array.from({ length: 50 }, (_, i) => event(i, T0 + i));
    for (let i = 0; i < 5; i++) await io.write(streamBatch(records.slice(i * 10, i * 10 + 10), 'src/t/0', i * 10));
    const part = 'dt=2026-12-06/hour=03';
    const parts = (): string[] => filesBelow(join(tableDir(dir), part)).filter((f) => f.endsWith('.parquet'));
    expect(parts().length).toBe(5);
    await eventually(() => parts().length === 1 && parts()[0]?.endsWith('-c.parquet'), { what: 'one compacted file' });
    await io.close();
    const seqs = (await readTable(tableDir(dir))).get(part)?.map((r) => Number(r.seq));
    expect(seqs?.sort((a, b) => a - b)).toEqual(records.map((_, i) => i));
    expect(filesBelow(join(tableDir(dir), part))).toEqual(['_SUCCESS', parts()[0]]);
  });
});
