import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../log/fs-util.js';

const stateSchema = z.object({
  v: z.literal(1),
  table: z.string(),
  stored: z.record(z.string(), z.array(z.tuple([z.number(), z.number()]))),
  watermark: z.number().nullable(),
  renames: z.array(z.tuple([z.string(), z.string()])),
  open: z.record(z.string(), z.object({ end: z.number(), lastWrite: z.number() })),
  committed: z.record(z.string(), z.number()),
  compaction: z.object({ inputs: z.array(z.string()), hidden: z.string(), visible: z.string() }).nullable(),
});

/**
 * The hive sink's durable state, `<stateDir>/hive-sink.json`, replaced whole (temporary file,
 * fsync, rename) at every commit: writing it is the commit point. `stored`: the source ranges in
 * visible files; `renames`: in-progress files to make visible (done after the state is saved,
 * redone at start); `open`: partitions with files, not committed yet (end of the hour, last
 * write, wall ms); `committed`: partitions with `_SUCCESS` (key → end); `compaction`: a swap
 * under way (its merged file, and the inputs it replaces).
 */
export type TableState = z.output<typeof stateSchema>;

export function emptyState(table: string): TableState {
  return { v: 1, table, stored: {}, watermark: null, renames: [], open: {}, committed: {}, compaction: null };
}

/** The state in `file`; empty when there is none. A state of another table is an error. */
export async function readState(file: string, table: string): Promise<TableState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(table);
    throw error;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`hive sink: ${file} is not a state this sink wrote (${parsed.error.issues[0]?.message ?? 'invalid'}); move it away to start over (files already written would be written again)`);
  if (parsed.data.table !== table)
    throw new Error(`hive sink: ${file} records table ${parsed.data.table}, not ${table}: a changed table needs a new state directory (give the sink a new id, or remove ${file} to write every record again)`);
  return parsed.data;
}

/** Replaces `file` with `state`, durably, in one step. */
export async function saveState(file: string, state: TableState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(state));
}
