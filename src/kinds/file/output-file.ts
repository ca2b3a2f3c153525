import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { SerialQueue } from '../../core/serial-queue.js';
import type { Batch } from '../../streams/batch.js';
import type { LogRecord } from '../../streams/record.js';
import { SinkJournal, type SinkState } from './sink-journal.js';

/** How the file sink opens its output. */
export interface OutputOptions {
  path: string;
  journal: string;
  /** fdatasync the output, then the journal, before a write resolves. */
  durable: boolean;
  log: Logger;
}

/**
 * One output file of the file sink, shared by the replicas that write it (one queue, one
 * journal). A write appends the records its stored ranges do not hold yet, then journals the new
 * length and the batch's origin. At open, and after a failed write, the file is cut back to the
 * journalled length: bytes past it belong to a batch whose write did not complete, which comes
 * again. So each record of a batch with an origin is in the file once (see StoredRanges).
 */
export class OutputFile {
  private readonly queue = new SerialQueue();
  /** A write failed midway: cut back to `state.length` and rewrite the journal before the next one. */
  private broken = false;

  private constructor(
    private readonly o: OutputOptions,
    private readonly state: SinkState,
    private handle: FileHandle,
    private readonly journal: SinkJournal,
  ) {}

  static async open(o: OutputOptions): Promise<OutputFile> {
    await mkdir(dirname(o.path), { recursive: true });
    const state = await SinkJournal.read(o.journal);
    const handle = await open(o.path, 'a');
    const { size } = await handle.stat();
    if (state.path !== o.path) {
      if (state.path !== undefined) o.log.warn({ file: o.path, was: state.path }, 'the file sink writes to another file than before: appending to it as it is');
      state.length = size;
    } else if (size > state.length) {
      await handle.truncate(state.length);
      o.log.info({ file: o.path, bytes: size - state.length }, 'cut off the bytes of a write interrupted by a crash; they are written again');
    } else if (size < state.length) {
      o.log.warn({ file: o.path, size, expected: state.length }, 'the output file is shorter than this sink wrote (truncated or replaced by someone else): appending to it as it is');
      state.length = size;
    }
    state.path = o.path;
    return new OutputFile(o, state, handle, await SinkJournal.create(o.journal, state, o.durable));
  }

  get path(): string {
    return this.o.path;
  }

  get journalFile(): string {
    return this.o.journal;
  }

  /** Appends what `format` makes of the batch's records not stored yet; resolves once journalled. */
  write(batch: Batch, format: (records: readonly LogRecord[]) => string): Promise<void> {
    return this.queue.run(async () => {
      if (this.broken) await this.repair();
      const records = this.state.stored.unstored(batch);
      if (records.length === 0) return;
      const bytes = Buffer.from(format(records));
      this.broken = true;
      await this.handle.appendFile(bytes);
      if (this.o.durable) await this.handle.datasync();
      await this.journal.append(this.state.length + bytes.length, batch.origin);
      this.state.length += bytes.length;
      if (batch.origin !== undefined) this.state.stored.add(batch.origin);
      this.broken = false;
      if (this.journal.large) await this.journal.rewrite(this.state);
    });
  }

  async close(): Promise<void> {
    await this.queue.run(async () => {
      await this.handle.close();
      await this.journal.close();
    });
  }

  private async repair(): Promise<void> {
    await this.handle.truncate(this.state.length);
    await this.journal.rewrite(this.state);
    this.broken = false;
  }
}
