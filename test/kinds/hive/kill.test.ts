// kill -9 of a real millrace process (`millrace run`: kafka source → hive sink on a local
// directory) several times while records stream in, then every committed Parquet file is read
// back with hyparquet (an independent reader): every record exactly once, every `_SUCCESS`
// partition complete.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { hourPartition } from '../../../src/kinds/hive/partition-time.js';
import { useKafka } from '../../infra/kafka/fixture.js';
import { eventually } from '../../kit/eventually.js';
import { filesBelow, readTable } from './helpers.js';

const repo = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const TOTAL = 40_000;
const KILLS = 6;
const T0 = Date.UTC(2026, 11, 6, 0, 0, 0);
/** Event time of record `seq`: the records span about 6 hours, in order. */
const timeOf = (seq: number): number => T0 + seq * 540;

function topologyYaml(brokers: string[], topic: string): string {
  return `name: hive-kill
dataDir: data
transport: { type: kafka, brokers: [${brokers.join(', ')}] }
sources:
  in: { kind: kafka, topics: [${topic}], group: ${topic}, sessionTimeoutMs: 6000 }
sinks:
  hive:
    kind: hive
    inputs: [in]
    channel: { maxRecords: 20000 }
    backend: { type: local, dir: warehouse }
    table: events
    timeField: ts
    columns:
      - { name: seq, type: int64, required: true }
      - { name: ts, type: timestamp, required: true }
      - { name: message, type: string }
    commit: { quietMs: 20, maxBatches: 16 }
    compaction: { smallBytes: 1048576 }
`;
}

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

function startRun(file: string): Run {
  const child = spawn(process.execPath, ['bin/millrace.js', 'run', file], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), stderr: () => stderr };
}

/** Visible data files of the table. */
const partFiles = (table: string): string[] => filesBelow(table).filter((f) => /\/part-[^/]*\.parquet$/.test(f));

async function produceAtRate(brokers: string[], topic: string): Promise<void> {
  const kafka = new Kafka({ clientId: 'hive-kill', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (let seq = 0; seq < TOTAL; seq += 200) {
    const messages = Array.from({ length: Math.min(200, TOTAL - seq) }, (_, i) => ({ value: JSON.stringify({ seq: seq + i, ts: new Date(timeOf(seq + i)).toISOString(), message: `event ${seq + i} ${'x'.repeat(100)}` }) }));
    await producer.send({ topic, messages });
    await sleep(100);
  }
  await producer.disconnect();
}

describe('hive sink across kill -9 (real Kafka, millrace processes)', () => {
  const kafka = useKafka();

  it('keeps every record exactly once in the committed files and every _SUCCESS partition complete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hive-kill-'));
    const topic = `hive-kill-${Date.now()}`;
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, topologyYaml(kafka.brokers, topic));
    const table = join(dir, 'warehouse', 'events');
    const producing = produceAtRate(kafka.brokers, topic);
    let kills = 0;
    for (; kills < KILLS; kills++) {
      const before = new Set(partFiles(table));
      const run = startRun(file);
      // Until it commits (a new file, or a compaction's), or it has nothing left to commit.
      await eventually(() => partFiles(table).some((f) => !before.has(f)) || run.child.exitCode !== null, { what: `files committed by run ${kills + 1}`, timeoutMs: 30_000, intervalMs: 5 }).catch(() => undefined);
      expect(run.child.exitCode, run.stderr()).toBeNull();
      // Every other kill right after a rename (before the source's offsets are committed: the
      // records come again and must be skipped); the others anywhere (mid-write, in a compaction).
      if (kills % 2 === 1) await sleep(Math.random() * 1500);
      run.child.kill('SIGKILL');
      await run.exited;
    }
    await producing;
    const last = startRun(file);
    try {
      // Its signal handlers are in place once it runs.
      await eventually(() => last.stderr().includes('topology running'), { what: 'the last run started', timeoutMs: 60_000 });
      await eventually(
        async () => {
          const rows = [...(await readTable(table)).values()].flat();
          return rows.length >= TOTAL;
        },
        { what: `all ${TOTAL} records in committed files`, timeoutMs: 120_000, intervalMs: 1000 },
      );
      last.child.kill('SIGTERM');
      const code = await last.exited;
      expect(code, `signal ${String(last.child.signalCode)}: ${last.stderr().slice(-3000)}`).toBe(0);
    } finally {
      last.child.kill('SIGKILL');
    }
    const partitions = await readTable(table);
    const seen = new Map<number, number>();
    for (const [partition, rows] of partitions) {
      for (const row of rows) {
        const seq = Number(row.seq);
        seen.set(seq, (seen.get(seq) ?? 0) + 1);
        expect(hourPartition(timeOf(seq)).key, `record ${seq} in its event-time partition`).toBe(partition);
      }
    }
    expect([...seen.values()].filter((n) => n !== 1), 'records written more than once').toEqual([]);
    expect(seen.size, 'records in committed files').toBe(TOTAL);
    const committed = [...partitions.keys()].filter((p) => existsSync(join(table, p, '_SUCCESS')));
    // The last hour's end is never passed by the watermark: it stays open.
    expect(committed.length).toBeGreaterThanOrEqual(5);
    for (const p of committed) {
      const expected = Array.from({ length: TOTAL }, (_, seq) => seq).filter((seq) => hourPartition(timeOf(seq)).key === p);
      expect((partitions.get(p) ?? []).length, `rows of committed partition ${p}`).toBe(expected.length);
    }
    expect(filesBelow(table).filter((f) => f.endsWith('.inprogress')), 'in-progress files left after a clean stop').toEqual([]);
    expect(kills).toBe(KILLS);
  }, 300_000);
});
