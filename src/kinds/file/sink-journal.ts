import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Origin } from '../../streams/origin.js';
import { StoredRanges } from '../../streams/stored-ranges.js';

const rangesSchema = z.record(z.string(), z.array(z.tuple([z.number(), z.number()])));
const snapshotSchema = z.object({ v: z.literal(1), path: z.string(), length: z.number().int().nonnegative(), stored: rangesSchema });
const entrySchema = z.object({ length: z.number().int().nonnegative(), stream: z.string().optional(), start: z.number().optional(), end: z.number().optional() });

/** What the journal says the output holds: its length and the source ranges stored in it. */
export interface SinkState {
  /** The output file the journal was written for. */
  path: string | undefined;
  length: number;
  stored: StoredRanges;
}

/** Entries appended before the journal is rewritten as one snapshot. */
const COMPACT_AFTER = 4096;

/**
 * The file sink's journal, `<stateDir>/file-sink.jsonl`: a snapshot line (output path, length,
 * stored ranges), then one line per batch written (the new length, and the batch's origin). A
 * line is appended only once the batch's bytes are in the output (fdatasync first with
 * `durable`), so the output never holds less than the journal says; a torn last line is ignored.
 */
export class SinkJournal {
  private appended = 0;

  private constructor(
    private readonly file: string,
    private handle: FileHandle,
    private readonly durable: boolean,
  ) {}

  /** Reads the journal at `file` (nothing there: an empty state). */
  static async read(file: string): Promise<SinkState> {
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    });
    const lines = text.split('\n').slice(0, -1);
    const snapshot = snapshotSchema.safeParse(parse(lines[0]));
    if (!snapshot.success) return { path: undefined, length: 0, stored: new StoredRanges() };
    const state: SinkState = { path: snapshot.data.path, length: snapshot.data.length, stored: StoredRanges.fromJson(snapshot.data.stored) };
    for (const line of lines.slice(1)) {
      const entry = entrySchema.safeParse(parse(line));
      if (!entry.success) break;
      const { length, stream, start, end } = entry.data;
      state.length = length;
      if (stream !== undefined && start !== undefined && end !== undefined) state.stored.add({ stream, start, end });
    }
    return state;
  }

  /** Starts a journal at `file` holding `state` (replacing what was there, atomically). */
  static async create(file: string, state: SinkState, durable: boolean): Promise<SinkJournal> {
    await mkdir(dirname(file), { recursive: true });
    return new SinkJournal(file, await writeSnapshot(file, state, durable), durable);
  }

  /** Records one batch written: the output's new length and the batch's origin. */
  async append(length: number, origin: Origin | undefined): Promise<void> {
    const entry = origin === undefined ? { length } : { length, stream: origin.stream, start: origin.start, end: origin.end };
    await this.handle.appendFile(JSON.stringify(entry) + '\n');
    if (this.durable) await this.handle.datasync();
    this.appended += 1;
  }

  /** Whether enough entries piled up to rewrite the journal as one snapshot. */
  get large(): boolean {
    return this.appended >= COMPACT_AFTER;
  }

  /** Rewrites the journal as one snapshot of `state` (also drops a torn line after a failed append). */
  async rewrite(state: SinkState): Promise<void> {
    await this.handle.close().catch(() => undefined);
    this.handle = await writeSnapshot(this.file, state, this.durable);
    this.appended = 0;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function parse(line: string | undefined): unknown {
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** Writes a snapshot to a temporary file, renames it over `file` and returns it open for appends. */
async function writeSnapshot(file: string, state: SinkState, durable: boolean): Promise<FileHandle> {
  // A temp file of this process: another process given the same directory must not rename it away.
  const tmp = `${file}.tmp-${process.pid}`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify({ v: 1, path: state.path, length: state.length, stored: state.stored.toJson() }) + '\n');
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  return open(file, 'a');
}
