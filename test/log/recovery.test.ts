import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CorruptRecord, EmbeddedLog } from '../../src/log/index.js';
import { tempDir } from './helpers.js';

const value = new Uint8Array(1000);

async function flipByte(file: string, position: number): Promise<void> {
  const fh = await open(file, 'r+');
  const b = Buffer.alloc(1);
  await fh.read(b, 0, 1, position);
  b[0] = (b[0] ?? 0) ^ 0xff;
  await fh.write(b, 0, 1, position);
  await fh.close();
}

describe('embedded log recovery', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: EmbeddedLog | undefined;
  const partDir = (): string => path.join(dir, 't', '0');
  const files = async (ext: string): Promise<string[]> => (await readdir(partDir())).filter((n) => n.endsWith(ext)).sort();

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('millrace-recovery-'));
  });
  afterEach(async () => {
    await log?.close();
    await cleanup();
  });

  async function writeSegments(n: number): Promise<void> {
    log = await EmbeddedLog.open({ dir, segmentBytes: 4096, fsync: { mode: 'batch' } });
    await log.createTopic('t', { partitions: 1 });
    for (let i = 0; i < n; i++) await log.append('t', 0, [0, 1, 2].map((k) => ({ value, ts: i * 3 + k })));
    await log.close();
    log = undefined;
  }

  it('cuts the log at a corrupt frame in a sealed segment lacking its index, and deletes and counts later segments', async () => {
    await writeSegments(4); // segments at 0, 3, 6, 9; each 3 frames of 1038 bytes
    const [, second] = await files('.log');
    await rm(path.join(partDir(), second!.replace('.log', '.index')));
    await flipByte(path.join(partDir(), second!), 1038 + 100); // inside offset 4
    log = await EmbeddedLog.open({ dir });
    const rep = log.recovery[0]!;
    expect(log.endOffset('t', 0)).toBe(4);
    expect(rep).toMatchObject({ segmentsDeleted: 2, droppedFrames: 2 + 6, truncatedBytes: 2 * 1038 + 6 * 1038 });
    expect(await files('.log')).toHaveLength(2);
    expect(await files('.index')).toHaveLength(1); // the cut segment is the active one again
    expect((await log.read('t', 0, 0, { maxRecords: 100 })).records.map((r) => r.ts)).toEqual([0, 1, 2, 3]);
    expect((await log.append('t', 0, [{ value, ts: 99 }])).baseOffset).toBe(4);
  });

  it('rebuilds a missing index sidecar of an intact sealed segment without losing data', async () => {
    await writeSegments(3);
    for (const f of await files('.index')) await rm(path.join(partDir(), f));
    log = await EmbeddedLog.open({ dir });
    expect(log.recovery[0]).toMatchObject({ truncatedBytes: 0, droppedFrames: 0, segmentsScanned: 3 });
    expect(await files('.index')).toHaveLength(2);
    expect((await log.read('t', 0, 5)).records[0]?.ts).toBe(5);
  });

  it('reports silent damage inside a trusted sealed segment as CorruptRecord on read', async () => {
    await writeSegments(3);
    const [first] = await files('.log');
    await flipByte(path.join(partDir(), first!), 1038 + 500);
    log = await EmbeddedLog.open({ dir });
    expect((await log.read('t', 0, 0, { maxRecords: 1 })).records).toHaveLength(1);
    await expect(log.read('t', 0, 1)).rejects.toBeInstanceOf(CorruptRecord);
  });

  it('truncates a zero-filled tail (as left by some filesystems after power loss) and counts it', async () => {
    await writeSegments(1);
    const [only] = await files('.log');
    const file = path.join(partDir(), only!);
    const size = (await stat(file)).size;
    await writeFile(file, new Uint8Array(5000), { flag: 'a' });
    log = await EmbeddedLog.open({ dir });
    expect(log.recovery[0]).toMatchObject({ truncatedBytes: 5000, droppedFrames: 1 });
    expect((await stat(file)).size).toBe(size);
    expect(log.endOffset('t', 0)).toBe(3);
  });

  it('takes over a stale lock left by a dead process but refuses a live owner', async () => {
    await writeSegments(1);
    await writeFile(path.join(dir, '.lock.1'), '999999999');
    log = await EmbeddedLog.open({ dir });
    await log.close();
    // The highest lock generation names the owner; the one taken above (2) is released.
    await writeFile(path.join(dir, '.lock.3'), String(process.ppid));
    await expect(EmbeddedLog.open({ dir })).rejects.toMatchObject({ code: 'LOG_LOCKED', message: expect.stringContaining(`pid ${process.ppid}`) });
    await rm(path.join(dir, '.lock.3'));
    log = undefined;
  });

  it('ignores a topic whose creation was interrupted and lets it be created again', async () => {
    await mkdir(path.join(dir, 'half', '0'), { recursive: true });
    await writeFile(path.join(dir, 'half', '0', '00000000000000000000.log'), 'junk');
    log = await EmbeddedLog.open({ dir });
    expect(log.topics()).toEqual([]);
    await log.createTopic('half', { partitions: 1 });
    expect(log.endOffset('half', 0)).toBe(0);
  });

  it('in interval mode fsyncs in the background so flushedOffset catches up without flush()', async () => {
    log = await EmbeddedLog.open({ dir, fsync: { mode: 'interval', intervalMs: 30 } });
    await log.createTopic('t', { partitions: 1 });
    await log.append('t', 0, [{ value, ts: 1 }]);
    const l = log;
    await vi.waitFor(() => expect(l.flushedOffset('t', 0)).toBe(1), { timeout: 5_000, interval: 5 });
  });
});
