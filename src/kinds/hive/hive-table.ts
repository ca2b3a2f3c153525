import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { DeadRecord } from '../../actors/io.js';
import { errorMessage } from '../../core/errors.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { Batch } from '../../streams/batch.js';
import type { Origin } from '../../streams/origin.js';
import type { Json } from '../../streams/record.js';
import { StoredRanges } from '../../streams/stored-ranges.js';
import { EncodeThread } from './encode-thread.js';
import { PartitionCommitter } from './partition-commit.js';
import { hourPartition } from './partition-time.js';
import { ColumnBuilder } from './column-builder.js';
import { RowReader } from './rows.js';
import { readState, saveState, type TableState } from './table-state.js';
import type { HiveTableOptions } from './table-options.js';

/** Rows of one partition written since the last commit, column by column. */
interface Buffer {
  readonly end: number;
  readonly columns: ColumnBuilder[];
  rows: number;
  maxTime: number;
}

/** Batches written since the last commit: they are acknowledged when it completes. */
interface Pending {
  buffers: Map<string, Buffer>;
  origins: Origin[];
  batches: number;
  bytes: number;
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

const emptyPending = (): Pending => ({ buffers: new Map(), origins: [], batches: 0, bytes: 0, waiters: [] });

/**
 * One table of the hive sink. Rows are held per partition until a commit, which writes one
 * hidden Parquet file per partition (`.part-….parquet.inprogress`), saves the state with the
 * batches' source ranges and the renames to do (the commit point), renames the files visible and
 * only then acknowledges the batches. A crash before the state is saved leaves hidden files that
 * the next start deletes (the batches come again); after, the next start completes the renames
 * and the source ranges make the replayed records skipped. See docs/decisions/hive-sink.md.
 */
export class HiveTable {
  private readonly queue = new SerialQueue();
  private readonly encoder = new EncodeThread();
  private readonly reader: RowReader;
  private pending = emptyPending();
  private quiet: NodeJS.Timeout | undefined;
  private due: NodeJS.Timeout | undefined;
  private closed = false;
  /** A commit failed after its state was saved: the renames are left to the next start's recovery. */
  private broken: unknown;
  private readonly partitions: PartitionCommitter;

  private constructor(
    private readonly o: HiveTableOptions,
    private state: TableState,
    private stored: StoredRanges,
  ) {
    this.reader = new RowReader(o.config.columns, o.config.timeField);
    const access = { get: () => this.state, save: (s: TableState) => this.save(s) };
    this.partitions = new PartitionCommitter(o, this.queue, access, () => this.pending.buffers, this.encoder);
  }

  /** Opens the table: completes what a crash interrupted and removes its in-progress files. */
  static async open(o: HiveTableOptions): Promise<HiveTable> {
    const state = await readState(o.stateFile, o.config.table);
    const table = new HiveTable(o, state, StoredRanges.fromJson(state.stored));
    table.encoder.warm();
    try {
      await table.recover();
    } catch (error) {
      table.partitions.stop();
      await table.encoder.close();
      throw error;
    }
    return table;
  }

  get where(): string {
    return `${this.o.store.where}/${this.o.config.table}`;
  }

  status(): { [key: string]: Json } {
    let rows = 0;
    for (const b of this.pending.buffers.values()) rows += b.rows;
    return { heldRows: rows, heldBatches: this.pending.batches, openPartitions: Object.keys(this.state.open).length, watermark: this.state.watermark };
  }

  /** Takes the batch's rows; resolves with the rejected records once the rest is committed. */
  write(batch: Batch): Promise<{ dead?: DeadRecord[] }> {
    if (this.closed) return Promise.reject(new Error(`hive sink ${this.where} is closed`));
    if (this.broken !== undefined) return Promise.reject(new Error(`hive sink ${this.where} must reopen after a failed commit: ${errorMessage(this.broken)}`));
    const dead: DeadRecord[] = [];
    const p = this.pending;
    for (const record of this.stored.unstored(batch)) {
      const row = this.reader.read(record);
      if ('reason' in row) {
        dead.push({ record, reason: `hive sink ${this.o.config.table}: field ${row.field}: ${row.reason}` });
        continue;
      }
      const part = hourPartition(row.time);
      if (this.partitions.isCommitted(part)) {
        dead.push({ record, reason: `hive sink ${this.o.config.table}: late: partition ${part.key} is already committed (watermark ${new Date(this.state.watermark ?? 0).toISOString()}); raise partition.delayMs to wait longer for late records` });
        continue;
      }
      let buffer = p.buffers.get(part.key);
      if (buffer === undefined) {
        buffer = { end: part.end, columns: this.o.config.columns.map((c) => new ColumnBuilder(c.type)), rows: 0, maxTime: row.time };
        p.buffers.set(part.key, buffer);
      }
      for (let i = 0; i < row.cells.length; i++) (buffer.columns[i] as ColumnBuilder).push(row.cells[i] ?? null);
      buffer.rows += 1;
      if (row.time > buffer.maxTime) buffer.maxTime = row.time;
    }
    if (batch.origin !== undefined) p.origins.push(batch.origin);
    p.batches += 1;
    p.bytes += batch.bytes;
    const done = new Promise<void>((resolve, reject) => p.waiters.push({ resolve, reject }));
    this.schedule();
    return done.then(() => (dead.length > 0 ? { dead } : {}));
  }

  /** Commits what is held, then stops. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearTimers();
    this.partitions.stop();
    try {
      await this.queue.run(() => this.commit());
    } finally {
      await this.encoder.close();
    }
  }

  private schedule(): void {
    const c = this.o.config.commit;
    const p = this.pending;
    if (p.batches >= c.maxBatches || p.bytes >= c.fileBytes) {
      this.commitSoon();
      return;
    }
    clearTimeout(this.quiet);
    this.quiet = setTimeout(() => this.commitSoon(), c.quietMs);
    this.due ??= setTimeout(() => this.commitSoon(), c.intervalMs);
  }

  private clearTimers(): void {
    clearTimeout(this.quiet);
    clearTimeout(this.due);
    this.quiet = undefined;
    this.due = undefined;
  }

  private commitSoon(): void {
    this.clearTimers();
    if (this.o.signal.aborted) return;
    void this.queue.run(() => this.commit()).then(
      () => this.partitions.check(),
      (error: unknown) => this.o.log.warn({ table: this.where, err: errorMessage(error) }, 'hive sink commit failed; its batches are written again'),
    );
  }

  /** Makes the held rows visible files and acknowledges their batches (see the class comment). */
  private async commit(): Promise<void> {
    const p = this.pending;
    if (p.batches === 0) return;
    this.pending = emptyPending();
    const written: [string, string][] = [];
    try {
      const next: TableState = { ...this.state, open: { ...this.state.open }, renames: [] };
      const now = Date.now();
      for (const [key, buffer] of p.buffers) {
        if (buffer.rows === 0) continue;
        const name = `part-${now}-${randomBytes(4).toString('hex')}.parquet`;
        const dir = posix.join(this.o.config.table, key);
        const hidden = posix.join(dir, `.${name}.inprogress`);
        await this.o.store.put(hidden, await this.encoder.encode(this.o.config.columns, buffer.columns.map((c) => c.finish()), this.o.config.compression), this.o.signal);
        written.push([hidden, posix.join(dir, name)]);
        next.open[key] = { end: buffer.end, lastWrite: now };
        next.watermark = Math.max(next.watermark ?? buffer.maxTime, buffer.maxTime);
      }
      const stored = StoredRanges.fromJson(this.state.stored);
      for (const origin of p.origins) stored.add(origin);
      next.stored = stored.toJson();
      next.renames = written;
      await this.save(next);
      this.stored = stored;
      for (const [hidden, visible] of written) await this.o.store.rename(hidden, visible, this.o.signal);
    } catch (error) {
      // Saved: the files are committed and the next start renames them. Not saved: they are garbage.
      if (this.state.renames === written) this.broken = error;
      else for (const [hidden] of written) await this.o.store.remove(hidden, this.o.signal).catch(() => undefined);
      for (const w of p.waiters) w.reject(error);
      throw error;
    }
    for (const w of p.waiters) w.resolve();
  }

  private async save(state: TableState): Promise<void> {
    await saveState(this.o.stateFile, state);
    this.state = state;
  }

  /** Completes the renames and the compaction swap the state records; deletes in-progress files. */
  private async recover(): Promise<void> {
    const { store, signal } = this.o;
    for (const [hidden, visible] of this.state.renames) if (await store.exists(hidden, signal)) await store.rename(hidden, visible, signal);
    await this.partitions.recover();
    for (const f of await store.listFiles(this.o.config.table, signal)) {
      if (posix.basename(f.path).startsWith('.') && f.path.endsWith('.inprogress')) {
        await store.remove(f.path, signal);
        this.o.log.info({ table: this.where, file: f.path }, 'removed an in-progress file of a commit a crash interrupted; its records are written again');
      }
    }
    await this.save({ ...this.state, renames: [] });
  }
}
