import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { StoredFile } from '../../stores/writable.js';
import type { HiveTableOptions } from './table-options.js';
import type { EncodeThread } from './encode-thread.js';
import type { TableState } from './table-state.js';

/** Reads and replaces the table state (the committer's view of it). */
export interface StateAccess {
  get(): TableState;
  save(state: TableState): Promise<void>;
}

/** Visible data files of a partition written by this sink. */
const isPart = (f: StoredFile): boolean => {
  const name = posix.basename(f.path);
  return name.startsWith('part-') && name.endsWith('.parquet');
};

/** Groups of at least two small files whose sizes add up to at most `limit`, in name order. */
function groups(files: StoredFile[], limit: number): StoredFile[][] {
  const out: StoredFile[][] = [];
  let group: StoredFile[] = [];
  let size = 0;
  for (const f of files.filter((x) => x.size < limit).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (size + f.size > limit && group.length > 0) {
      out.push(group);
      group = [];
      size = 0;
    }
    group.push(f);
    size += f.size;
  }
  out.push(group);
  return out.filter((g) => g.length >= 2);
}

/**
 * Merges a committed partition's small files, group by group: the merged file is written hidden,
 * the swap is recorded in the state, the file renamed visible and the inputs deleted. A crash
 * anywhere in it is finished by {@link finishCompaction} at the next start, so the rows are in
 * the partition once (readers listing it between the rename and the deletes see both).
 */
export async function compactPartition(o: HiveTableOptions, key: string, state: StateAccess, encoder: EncodeThread): Promise<number> {
  const { store, signal, config } = o;
  const dir = posix.join(config.table, key);
  let merged = 0;
  for (const group of groups((await store.listFiles(dir, signal)).filter(isPart), config.compaction.smallBytes)) {
    const inputs = await Promise.all(group.map((f) => store.readFile(f.path, signal)));
    const bytes = await encoder.merge(inputs, config.compression);
    const name = `part-${Date.now()}-${randomBytes(4).toString('hex')}-c.parquet`;
    const hidden = posix.join(dir, `.${name}.inprogress`);
    await store.put(hidden, bytes, signal);
    await state.save({ ...state.get(), compaction: { inputs: group.map((f) => f.path), hidden, visible: posix.join(dir, name) } });
    await finishCompaction(o, state);
    merged += group.length;
  }
  return merged;
}

/** Completes the swap the state records, if any: rename the merged file, delete the inputs. */
export async function finishCompaction(o: HiveTableOptions, state: StateAccess): Promise<void> {
  const swap = state.get().compaction;
  if (swap === null) return;
  const { store, signal } = o;
  if (await store.exists(swap.hidden, signal)) await store.rename(swap.hidden, swap.visible, signal);
  for (const input of swap.inputs) await store.remove(input, signal);
  await state.save({ ...state.get(), compaction: null });
}
