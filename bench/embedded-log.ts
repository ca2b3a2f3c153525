/**
 * Embedded log throughput vs `dd` (same bytes, fsync at the end).
 *
 *   node --import tsx bench/embedded-log.ts [--mb 256] [--repeats 3] [--batch 256]
 *
 * Appends `mb` MiB of 1 KiB-value records (fsync interval 500 ms, plus a
 * final flush inside the timing), reads them all back (CRC-checked), repeats
 * the append with fsync mode 'batch' for reference, then writes the same
 * number of bytes with `dd if=/dev/zero bs=1M conv=fsync` and reads that file
 * back with `dd of=/dev/null`. Prints a table, writes
 * bench/results/embedded-log.json, and returns the append/dd write ratio.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedLog } from '../src/log/index.js';
import { isMain, numberArg, saveResult } from './standalone.js';

export interface EmbeddedLogBenchOptions {
  /** MiB of record values to write (default 256). */
  mb?: number;
  /** Value size per record in bytes (default 1024). */
  recordBytes?: number;
  /** Records per append call (default 256). */
  batchRecords?: number;
  /** Runs per measurement; the median is reported (default 3). */
  repeats?: number;
  /** Scratch directory parent (default os.tmpdir()). */
  tmpDir?: string;
  /** Where to write JSON results; null to skip (default bench/results/embedded-log.json). */
  resultsPath?: string | null;
  /** Print the table (default true). */
  print?: boolean;
}

export interface EmbeddedLogBenchResult {
  mb: number;
  recordBytes: number;
  batchRecords: number;
  repeats: number;
  logAppendMBps: number;
  logReadMBps: number;
  /** Append throughput with fsync mode 'batch' (an fsync per append call), for reference. */
  logBatchModeAppendMBps: number;
  ddWriteMBps: number;
  ddReadMBps: number;
  /** logAppendMBps / ddWriteMBps — the target is >= 0.5. */
  ratio: number;
  readRatio: number;
  /** On-disk bytes per value byte (framing overhead). */
  diskBytesPerValueByte: number;
  node: string;
  cpus: number;
  date: string;
}

const MiB = 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function logRun(dir: string, mb: number, recordBytes: number, batchRecords: number, fsync: 'interval' | 'batch') {
  const log = await EmbeddedLog.open({ dir, fsync: fsync === 'batch' ? { mode: 'batch' } : { mode: 'interval', intervalMs: 500 } });
  await log.createTopic('bench', { partitions: 1 });
  const total = Math.floor((mb * MiB) / recordBytes);
  const value = Buffer.alloc(recordBytes, 0x61);
  const batch = Array.from({ length: batchRecords }, (_, i) => ({ value, ts: Date.now() + i }));
  let t = process.hrtime.bigint();
  for (let written = 0; written < total; written += batchRecords) {
    await log.append('bench', 0, written + batchRecords <= total ? batch : batch.slice(0, total - written));
  }
  await log.flush();
  const appendS = seconds(t);
  const diskBytes = log.describePartition('bench', 0).sizeBytes;
  t = process.hrtime.bigint();
  let offset = 0;
  let valueBytes = 0;
  while (offset < total) {
    const r = await log.read('bench', 0, offset, { maxBytes: 4 * MiB, maxRecords: 100_000 });
    for (const rec of r.records) valueBytes += rec.value.byteLength;
    offset = r.nextOffset;
  }
  const readS = seconds(t);
  await log.close();
  if (valueBytes !== total * recordBytes) throw new Error(`read back ${valueBytes} bytes, expected ${total * recordBytes}`);
  return { appendMBps: (total * recordBytes) / MiB / appendS, readMBps: valueBytes / MiB / readS, overhead: diskBytes / (total * recordBytes) };
}

function ddRun(file: string, mb: number) {
  let t = process.hrtime.bigint();
  const w = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', `count=${mb}`, 'conv=fsync'], { encoding: 'utf8' });
  const writeS = seconds(t);
  if (w.status !== 0) throw new Error(`dd write failed: ${w.stderr}`);
  t = process.hrtime.bigint();
  const r = spawnSync('dd', [`if=${file}`, 'of=/dev/null', 'bs=1M'], { encoding: 'utf8' });
  const readS = seconds(t);
  if (r.status !== 0) throw new Error(`dd read failed: ${r.stderr}`);
  return { writeMBps: mb / writeS, readMBps: mb / readS };
}

/** Runs the benchmark; see the file header. */
export async function runEmbeddedLogBench(opts: EmbeddedLogBenchOptions = {}): Promise<EmbeddedLogBenchResult> {
  const mb = opts.mb ?? 256;
  const recordBytes = opts.recordBytes ?? 1024;
  const batchRecords = opts.batchRecords ?? 256;
  const repeats = opts.repeats ?? 3;
  const scratch = await mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'millrace-bench-'));
  const logs: Awaited<ReturnType<typeof logRun>>[] = [];
  const batchLogs: Awaited<ReturnType<typeof logRun>>[] = [];
  const dds: ReturnType<typeof ddRun>[] = [];
  try {
    for (let i = 0; i < repeats; i++) {
      // Alternate so page-cache writeback from one run penalises both sides alike.
      logs.push(await logRun(path.join(scratch, `log-${i}`), mb, recordBytes, batchRecords, 'interval'));
      await rm(path.join(scratch, `log-${i}`), { recursive: true, force: true });
      batchLogs.push(await logRun(path.join(scratch, `blog-${i}`), mb, recordBytes, batchRecords, 'batch'));
      await rm(path.join(scratch, `blog-${i}`), { recursive: true, force: true });
      dds.push(ddRun(path.join(scratch, `dd-${i}.bin`), mb));
      await rm(path.join(scratch, `dd-${i}.bin`), { force: true });
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const result: EmbeddedLogBenchResult = {
    mb,
    recordBytes,
    batchRecords,
    repeats,
    logAppendMBps: median(logs.map((l) => l.appendMBps)),
    logReadMBps: median(logs.map((l) => l.readMBps)),
    logBatchModeAppendMBps: median(batchLogs.map((l) => l.appendMBps)),
    ddWriteMBps: median(dds.map((d) => d.writeMBps)),
    ddReadMBps: median(dds.map((d) => d.readMBps)),
    ratio: 0,
    readRatio: 0,
    diskBytesPerValueByte: median(logs.map((l) => l.overhead)),
    node: process.version,
    cpus: os.cpus().length,
    date: new Date().toISOString(),
  };
  result.ratio = result.logAppendMBps / result.ddWriteMBps;
  result.readRatio = result.logReadMBps / result.ddReadMBps;
  if (opts.print ?? true) {
    const f = (x: number): string => x.toFixed(1).padStart(9);
    console.log(`embedded log vs dd: ${mb} MiB, ${recordBytes} B records, ${batchRecords}/append, median of ${repeats}`);
    console.log('                          write MB/s  read MB/s');
    console.log(`embedded log (500 ms)   ${f(result.logAppendMBps)} ${f(result.logReadMBps)}`);
    console.log(`embedded log (batch)    ${f(result.logBatchModeAppendMBps)}`);
    console.log(`dd (conv=fsync)         ${f(result.ddWriteMBps)} ${f(result.ddReadMBps)}`);
    console.log(`ratio log(500 ms)/dd    ${f(result.ratio)} ${f(result.readRatio)}   (target write ratio >= 0.5)`);
  }
  await saveResult('embedded-log', result, opts.resultsPath);
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runEmbeddedLogBench({ mb: numberArg('mb'), repeats: numberArg('repeats'), batchRecords: numberArg('batch') });
  process.exitCode = result.ratio >= 0.5 ? 0 : 1;
}
