import { execFile } from 'node:child_process';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { errorMessage } from '../../core/errors.js';
import type { SerialQueue } from '../../core/serial-queue.js';
import { compactPartition, finishCompaction, type StateAccess } from './compaction.js';
import type { EncodeThread } from './encode-thread.js';
import type { HiveTableOptions } from './table-options.js';
import type { HourPartition } from './partition-time.js';

const run = promisify(execFile);

/** Committed partitions are remembered this long behind the watermark; older ones count as committed. */
const REMEMBER_MS = 7 * 24 * 3_600_000;
/** How often open partitions are checked for commit (at most; idleMs below it checks sooner). */
const CHECK_EVERY_MS = 1000;

/**
 * Partition commit: a partition with files and no rows held uncommitted is committed once the
 * watermark passes its end plus `partition.delayMs`, or once nothing was written to it for
 * `partition.idleMs`: `_SUCCESS` is written (unless there), the hook runs, the state records it
 * (so never twice), then its small files are compacted. From the moment it is chosen, records
 * for it are late.
 */
export class PartitionCommitter {
  private readonly committing = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly o: HiveTableOptions,
    private readonly queue: SerialQueue,
    private readonly state: StateAccess,
    /** Partitions with rows held for the next commit: their files are not closed. */
    private readonly held: () => { has(key: string): boolean },
    private readonly encoder: EncodeThread,
  ) {
    this.timer = setInterval(() => this.check(), Math.min(CHECK_EVERY_MS, o.config.partition.idleMs));
    this.timer.unref();
  }

  isCommitted(p: HourPartition): boolean {
    const { committed, watermark } = this.state.get();
    return p.key in committed || this.committing.has(p.key) || (watermark !== null && p.end < watermark - REMEMBER_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Finishes a compaction swap a crash interrupted. */
  recover(): Promise<void> {
    return finishCompaction(this.o, this.state);
  }

  /** Queues a look at the open partitions (after whatever the queue holds). */
  check(): void {
    if (this.o.signal.aborted) return;
    void this.queue.run(() => this.commitDue()).catch((error: unknown) => {
      this.o.log.warn({ table: this.o.config.table, err: errorMessage(error) }, 'hive sink partition commit failed; retried at the next check');
    });
  }

  private async commitDue(): Promise<void> {
    const { delayMs, idleMs } = this.o.config.partition;
    const now = Date.now();
    const held = this.held();
    for (const [key, info] of Object.entries(this.state.get().open)) {
      if (held.has(key)) continue;
      const watermark = this.state.get().watermark;
      if ((watermark !== null && watermark >= info.end + delayMs) || now - info.lastWrite >= idleMs) await this.commit(key, info.end);
    }
  }

  private async commit(key: string, end: number): Promise<void> {
    const { store, signal, config, log } = this.o;
    this.committing.add(key);
    const dir = posix.join(config.table, key);
    const marker = posix.join(dir, '_SUCCESS');
    if (!(await store.exists(marker, signal))) await store.put(marker, new Uint8Array(0), signal);
    const hook = config.partition.hook;
    if (hook !== undefined) {
      const [command, ...args] = hook as [string, ...string[]];
      await run(command, args, {
        timeout: config.partition.hookTimeoutMs,
        signal,
        env: { ...process.env, HIVE_TABLE: config.table, HIVE_PARTITION: key, HIVE_PARTITION_DIR: dir, HIVE_STORE: store.where },
      }).catch((error: unknown) => {
        throw new Error(`partition ${key}: hook ${command} failed: ${errorMessage(error)}`, { cause: error });
      });
    }
    const s = this.state.get();
    const open = { ...s.open };
    delete open[key];
    const watermark = s.watermark ?? end;
    const committed = Object.fromEntries(Object.entries({ ...s.committed, [key]: end }).filter(([, e]) => e >= watermark - REMEMBER_MS));
    await this.state.save({ ...s, open, committed });
    this.committing.delete(key);
    log.info({ table: config.table, partition: key }, 'hive partition committed');
    if (config.compaction.enabled) void this.queue.run(() => this.compact(key));
  }

  private async compact(key: string): Promise<void> {
    try {
      const merged = await compactPartition(this.o, key, this.state, this.encoder);
      if (merged > 0) this.o.log.info({ table: this.o.config.table, partition: key, files: merged }, 'hive partition compacted');
    } catch (error) {
      this.o.log.warn({ table: this.o.config.table, partition: key, err: errorMessage(error) }, 'hive sink compaction failed; the partition keeps its files');
    }
  }
}
