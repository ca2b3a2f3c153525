import { resolve } from 'node:path';
import fg from 'fast-glob';
import { NotConnected } from '../../core/errors.js';
import type { ActorContext, SourceIO, SourceRead } from '../../actors/io.js';
import type { Json, LogRecord } from '../../streams/record.js';
import type { FileSourceConfig } from './source-config.js';
import { FollowedFiles } from './followed-files.js';
import { GrowthWatch } from './growth-watch.js';
import { lineHeaders } from './line-headers.js';
import { PositionBook, isTailCheckpoint, type TailPosition } from './positions.js';
import type { TailedFile, TailLine } from './tailed-file.js';

/** Files listed one by one in the status; the rest are only counted. */
const STATUS_FILES = 20;

/**
 * The `file` source in `tail` mode. Each `read` serves the followed files round-robin (one file's
 * lines per batch); when none has new bytes it waits until a file changes (inotify, see
 * {@link GrowthWatch}) or something is due, and looks again:
 * files at their end are polled every `pollIntervalMs` (growth, truncation), the globs are
 * expanded every `scanIntervalMs` (new files), and every `pollIntervalMs` each file's path is
 * checked (rotation, deletion), held partial lines are flushed when overdue and drained rotated
 * files are finished. Delivery is at-least-once: positions are committed per file identity only
 * for acknowledged lines, and a restart resumes from them. Each batch's origin names the file's
 * stream and each line's end offset, so exactly-once sinks skip the lines a restart repeats.
 */
export class TailReader implements SourceIO<TailPosition> {
  private readonly book: PositionBook;
  private readonly followed: FollowedFiles;
  private readonly buffer: Buffer;
  private readonly stopped = new AbortController();
  private readonly growth: GrowthWatch;
  private reading: Promise<unknown> = Promise.resolve();
  /** The last write of the position file asked to be durable (a new stream in it). */
  private streamsSaved: Promise<void> = Promise.resolve();
  private cursor = 0;
  private nextScan = 0;
  private nextHousekeeping = 0;
  private partialFlushes = 0;

  constructor(
    private readonly config: FileSourceConfig,
    private readonly ctx: ActorContext,
  ) {
    const saved = ctx.checkpoint.get();
    if (saved !== undefined && !isTailCheckpoint(saved)) ctx.log.warn('the saved position was not written in tail mode; following every file from its start');
    this.book = new PositionBook(saved);
    this.followed = new FollowedFiles(this.book, config.maxLineBytes, ctx.log, (durable) => {
      ctx.checkpoint.set(this.book.toJson());
      if (durable === true) this.streamsSaved = ctx.checkpoint.flush().catch((error: unknown) => ctx.log.warn({ err: String(error) }, 'cannot write the position file'));
    });
    this.buffer = Buffer.allocUnsafe(config.readBytes);
    this.growth = new GrowthWatch(ctx.log);
    this.stopped.signal.addEventListener('abort', () => this.growth.wake.notify(), { once: true });
    if (ctx.signal.aborted) this.stopped.abort();
    else ctx.signal.addEventListener('abort', () => this.stopped.abort(), { once: true });
  }

  async connect(): Promise<void> {
    const now = Date.now();
    const matched = await this.expandGlobs();
    await this.followed.recoverUnmatched(matched, now);
    await this.scan(matched, now);
    if (this.followed.files.size === 0) this.ctx.log.info({ paths: this.config.paths }, 'no file matches yet: waiting for one');
  }

  read(): Promise<SourceRead<TailPosition>> {
    // No line goes out under a stream before the position file names it: a crash in between
    // would re-read the file as another stream, which sinks could not tell from new lines.
    const next = this.readNext().then(async (read) => {
      await this.streamsSaved;
      return read;
    });
    this.reading = next.catch(() => undefined);
    return next;
  }

  commit(position: TailPosition): void {
    if (this.book.commit(position)) this.ctx.checkpoint.set(this.book.toJson());
  }

  /** Stops a pending read, closes every file and writes the committed positions to disk. */
  async close(): Promise<void> {
    this.stopped.abort();
    await this.reading;
    this.growth.close();
    await this.followed.closeAll();
    await this.ctx.checkpoint.flush();
  }

  status(): { [key: string]: Json } {
    const files = [...this.followed.files.values()];
    return {
      mode: 'tail',
      following: files.length,
      files: files.slice(0, STATUS_FILES).map((f) => ({ id: f.key, path: f.path, offset: f.position, draining: f.draining })),
      ...this.followed.counters,
      partialFlushes: this.partialFlushes,
      uncommittedBatches: this.book.uncommitted,
    };
  }

  private async readNext(): Promise<SourceRead<TailPosition>> {
    for (;;) {
      if (this.stopped.signal.aborted) throw new NotConnected('the file source is closed');
      const now = Date.now();
      if (now >= this.nextScan) {
        await this.scan(await this.expandGlobs(), now);
        this.nextScan = now + this.config.scanIntervalMs;
      }
      const read = await this.readPass(now);
      if (read !== undefined) return read;
      if (now >= this.nextHousekeeping) {
        const kept = await this.housekeeping(now);
        if (kept !== undefined) return kept;
        this.nextHousekeeping = now + this.config.pollIntervalMs;
      }
      this.growth.sync(this.followed.files);
      await this.growth.wake.wait(Math.max(1, this.nextWake() - Date.now()));
    }
  }

  /** One round over the files, from the one after the last served: the first with lines wins. */
  private async readPass(now: number): Promise<SourceRead<TailPosition> | undefined> {
    const files = [...this.followed.files.values()];
    for (let k = 0; k < files.length; k++) {
      const i = (this.cursor + k) % files.length;
      const f = files[i] as TailedFile;
      if (f.atEof && now < f.nextPoll) continue;
      if (f.atEof && (await f.isTruncated())) {
        // The partial line belongs to the file as it was before: its stream, its offsets.
        const before = this.from(f);
        const partial = await this.followed.truncated(f, now);
        if (partial.length > 0) return this.batch(f, partial, before);
      }
      const from = this.from(f);
      const lines = await f.readLines(this.buffer, this.config.batchSize, now);
      if (f.atEof) f.nextPoll = now + this.config.pollIntervalMs;
      if (lines.length === 0) continue;
      this.cursor = i + 1;
      return this.batch(f, lines, from);
    }
    return undefined;
  }

  /** Rotation and deletion checks, overdue partial lines, and drained files to finish. */
  private async housekeeping(now: number): Promise<SourceRead<TailPosition> | undefined> {
    for (const f of [...this.followed.files.values()]) {
      await this.followed.checkPath(f, now);
      if (f.atEof && f.partialSince !== undefined && now - f.partialSince >= this.config.partialLineFlushMs) {
        this.partialFlushes += 1;
        const from = this.from(f);
        const lines = f.flushPartial();
        if (lines.length > 0) return this.batch(f, lines, from);
      }
      if (f.draining && f.atEof && now - f.lastGrowth >= this.config.rotateWaitMs && (await f.size()) <= f.position) {
        const from = this.from(f);
        const lines = await this.followed.finish(f);
        if (lines.length > 0) return this.batch(f, lines, from);
      }
    }
    return undefined;
  }

  private async scan(matched: readonly string[], now: number): Promise<void> {
    const keys = new Set<string>();
    for (const path of matched) {
      const key = await this.followed.follow(path, now);
      if (key !== undefined) keys.add(key);
    }
    this.followed.prune(keys);
  }

  private async expandGlobs(): Promise<string[]> {
    const found = await fg(this.config.paths, { cwd: this.ctx.baseDir, absolute: true, onlyFiles: true, suppressErrors: true });
    return found.map((f) => resolve(f)).sort();
  }

  /** When something is next due: a scan, a housekeeping round, or a file's poll. */
  private nextWake(): number {
    let wake = Math.min(this.nextScan, this.nextHousekeeping);
    for (const f of this.followed.files.values()) wake = Math.min(wake, f.atEof ? f.nextPoll : 0);
    return wake;
  }

  /** Where the next lines of `f` start in its stream: taken before reading them. */
  private from(f: TailedFile): { stream: string; start: number } {
    return { stream: this.book.streamOf(f.key), start: f.lastEnd };
  }

  private batch(f: TailedFile, lines: readonly TailLine[], from: { stream: string; start: number }): SourceRead<TailPosition> {
    const ts = Date.now();
    const headers = lineHeaders(this.config, f.path);
    const records = lines.map((l): LogRecord => {
      const h = l.truncated ? headers.truncated : headers.plain;
      return h === undefined ? { value: l.text, ts } : { value: l.text, ts, headers: { ...h } };
    });
    const positions = lines.map((l) => l.end);
    const origin = { stream: from.stream, start: from.start, end: positions[positions.length - 1] as number, positions };
    const entry = f.entry();
    return { records, position: this.book.emitted(f.key, entry), label: `${f.path}@${entry.offset}`, origin };
  }
}
