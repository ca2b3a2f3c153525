/**
 * Model-based test: random sequences of append / flush / read / commit /
 * crash / reopen run against the real log and a plain in-memory model.
 * A crash copies the directory as the OS sees it, cuts the active segment
 * anywhere at or after the flushed position, optionally appends garbage and
 * drops a sealed index sidecar, then opens the copy: every flushed record
 * must come back in order with its offset, exactly the intact prefix
 * survives, and committed offsets are untouched.
 */
import { cp, open, readdir, rm, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog, type LogEntry } from '../../src/log/index.js';
import { frameSize } from '../../src/log/record-codec.js';
import { tempDir } from './helpers.js';

const PARTITIONS = 2;
/** Guards against a vacuous run: crashes must sometimes lose unflushed data and span several segments. */
const coverage = { crashes: 0, lostUnflushed: 0, multiSegment: 0, sidecarsRebuilt: 0 };
const TOPIC = 't';

type Cmd =
  | { kind: 'append'; partition: number; records: LogEntry[] }
  | { kind: 'flush' }
  | { kind: 'read'; partition: number; at: number; maxRecords: number; maxBytes: number }
  | { kind: 'commit'; group: string; partition: number; at: number }
  | { kind: 'crash'; cuts: number[]; garbage: Uint8Array | null; dropSidecar: boolean }
  | { kind: 'reopen' };

const recordArb: fc.Arbitrary<LogEntry> = fc.record(
  {
    key: fc.string({ unit: 'grapheme', maxLength: 8 }),
    value: fc.uint8Array({ maxLength: 700, size: 'max' }),
    headers: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2, noNullPrototype: true }),
    ts: fc.double({ noNaN: true, noDefaultInfinity: true }),
  },
  { requiredKeys: ['value', 'ts'] },
);
const part = fc.integer({ min: 0, max: PARTITIONS - 1 });
const frac = fc.double({ min: 0, max: 1, noNaN: true });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('append' as const), partition: part, records: fc.array(recordArb, { maxLength: 8, size: 'max' }) }), weight: 6 },
  { arbitrary: fc.constant({ kind: 'flush' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('read' as const), partition: part, at: frac, maxRecords: fc.integer({ min: 1, max: 20 }), maxBytes: fc.integer({ min: 1, max: 5000 }) }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('commit' as const), group: fc.constantFrom('g1', 'g.2'), partition: part, at: frac }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('crash' as const),
      cuts: fc.array(frac, { minLength: PARTITIONS, maxLength: PARTITIONS }),
      garbage: fc.option(fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.constant(new Uint8Array(4096)))),
      dropSidecar: fc.boolean(),
    }),
    weight: 2,
  },
  { arbitrary: fc.constant({ kind: 'reopen' as const }), weight: 1 },
);

interface Model {
  parts: LogEntry[][];
  committed: Map<string, number>;
}

async function expectMatchesModel(log: EmbeddedLog, model: Model): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) {
    const want = model.parts[p] ?? [];
    expect(log.endOffset(TOPIC, p)).toBe(want.length);
    const { records } = await log.read(TOPIC, p, 0, { maxRecords: 100_000, maxBytes: 1 << 30 });
    expect(records).toEqual(want.map((r, offset) => ({ ...r, offset })));
  }
  for (const [k, v] of model.committed) {
    const [group = '', p] = k.split('|');
    expect(log.committedOffset(group, TOPIC, Number(p))).toBe(v);
  }
}

/** Simulates a machine crash on a copy of the directory; returns per partition the expected recovered state. */
async function crashCopy(log: EmbeddedLog, dir: string, to: string, cmd: Extract<Cmd, { kind: 'crash' }>, model: Model) {
  await cp(dir, to, { recursive: true });
  // The crashed process is gone: so is its lock (generations .lock.<n>).
  for (const name of await readdir(to)) if (name.startsWith('.lock.')) await rm(path.join(to, name), { force: true });
  const expected: { hw: number; truncatedBytes: number }[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const info = log.describePartition(TOPIC, p);
    const active = info.segments[info.segments.length - 1]!;
    expect(info.flushed.segmentBaseOffset).toBe(active.baseOffset); // only the active segment is ever unflushed
    const file = path.join(to, TOPIC, String(p), path.basename(active.path));
    const cut = info.flushed.bytes + Math.floor((cmd.cuts[p] ?? 0) * (active.sizeBytes - info.flushed.bytes));
    await truncate(file, cut);
    if (cmd.garbage !== null) {
      const fh = await open(file, 'a');
      await fh.write(cmd.garbage);
      await fh.close();
    }
    // Intact frames are the ones ending at or before the cut.
    let end = 0;
    let hw = active.baseOffset;
    for (const rec of (model.parts[p] ?? []).slice(active.baseOffset)) {
      if (end + frameSize(rec) > cut) break;
      end += frameSize(rec);
      hw++;
    }
    expect(hw).toBeGreaterThanOrEqual(info.flushed.offset);
    expected.push({ hw, truncatedBytes: cut - end + (cmd.garbage?.length ?? 0) });
    if (cmd.dropSidecar) {
      const sidecar = (await readdir(path.dirname(file))).find((n) => n.endsWith('.index'));
      if (sidecar !== undefined) await rm(path.join(path.dirname(file), sidecar));
    }
  }
  return expected;
}

async function runCommands(mode: 'batch' | 'interval', cmds: Cmd[]): Promise<void> {
  const { dir: root, cleanup } = await tempDir('millrace-model-');
  const config = (dir: string) => ({ dir, segmentBytes: 4096, indexIntervalBytes: 256, fsync: mode === 'batch' ? { mode } : { mode, intervalMs: 3_600_000 } });
  let dir = path.join(root, 'gen0');
  let log = await EmbeddedLog.open(config(dir));
  await log.createTopic(TOPIC, { partitions: PARTITIONS });
  const model: Model = { parts: Array.from({ length: PARTITIONS }, () => []), committed: new Map() };
  try {
    for (const [i, cmd] of cmds.entries()) {
      const records = (p: number): LogEntry[] => model.parts[p] ?? [];
      switch (cmd.kind) {
        case 'append': {
          const r = await log.append(TOPIC, cmd.partition, cmd.records);
          expect(r.baseOffset).toBe(records(cmd.partition).length);
          records(cmd.partition).push(...cmd.records);
          if (mode === 'batch') expect(log.flushedOffset(TOPIC, cmd.partition)).toBe(records(cmd.partition).length);
          break;
        }
        case 'flush':
          await log.flush();
          for (let p = 0; p < PARTITIONS; p++) expect(log.flushedOffset(TOPIC, p)).toBe(records(p).length);
          break;
        case 'read': {
          const all = records(cmd.partition);
          const from = Math.floor(cmd.at * all.length);
          const want: LogEntry[] = [];
          let bytes = 0;
          for (const rec of all.slice(from)) {
            if (want.length === cmd.maxRecords || (want.length > 0 && bytes + frameSize(rec) > cmd.maxBytes)) break;
            want.push(rec);
            bytes += frameSize(rec);
          }
          const got = await log.read(TOPIC, cmd.partition, from, cmd);
          expect(got.records).toEqual(want.map((r, k) => ({ ...r, offset: from + k })));
          expect(got.nextOffset).toBe(from + want.length);
          break;
        }
        case 'commit': {
          const offset = Math.floor(cmd.at * records(cmd.partition).length);
          await log.commitOffset(cmd.group, TOPIC, cmd.partition, offset);
          model.committed.set(`${cmd.group}|${cmd.partition}`, offset);
          break;
        }
        case 'crash': {
          const next = path.join(root, `gen${i + 1}`);
          const expected = await crashCopy(log, dir, next, cmd, model);
          await log.close();
          dir = next;
          log = await EmbeddedLog.open(config(dir));
          for (let p = 0; p < PARTITIONS; p++) {
            const { hw, truncatedBytes } = expected[p]!;
            const rep = log.recovery.find((r) => r.partition === p)!;
            const active = log.describePartition(TOPIC, p).segments.at(-1)!;
            expect((await stat(active.path)).size).toBe(active.sizeBytes); // the torn tail is gone from the file
            expect(rep.truncatedBytes).toBe(truncatedBytes);
            if (truncatedBytes === 0) expect(rep.droppedFrames).toBe(0);
            else if (cmd.garbage === null) expect(rep.droppedFrames).toBe(1); // one partial frame
            else expect(rep.droppedFrames).toBeGreaterThanOrEqual(1);
            expect(log.endOffset(TOPIC, p)).toBe(hw);
            coverage.crashes++;
            if (hw < records(p).length) coverage.lostUnflushed++;
            if (log.describePartition(TOPIC, p).segments.length > 1) coverage.multiSegment++;
            if (rep.segmentsScanned > 1) coverage.sidecarsRebuilt++;
            model.parts[p] = records(p).slice(0, hw);
          }
          await expectMatchesModel(log, model);
          break;
        }
        case 'reopen':
          await log.close();
          log = await EmbeddedLog.open(config(dir));
          expect(log.recovery.every((r) => r.truncatedBytes === 0 && r.droppedFrames === 0)).toBe(true);
          await expectMatchesModel(log, model);
          break;
      }
    }
    await expectMatchesModel(log, model);
  } finally {
    await log.close();
    await cleanup();
  }
}

describe('embedded log model', () => {
  it('after crashes and reopens, every flushed record is read back in order with its offset and commits survive', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('batch' as const, 'interval' as const), fc.array(cmdArb, { minLength: 1, maxLength: 25, size: 'max' }), runCommands),
      { numRuns: 40 },
    );
    expect(coverage.lostUnflushed).toBeGreaterThan(0);
    expect(coverage.multiSegment).toBeGreaterThan(0);
    expect(coverage.sidecarsRebuilt).toBeGreaterThan(0);

  }, 60_000);
});
