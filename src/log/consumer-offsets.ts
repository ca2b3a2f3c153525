import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedLogError, InvalidArgument } from './errors.js';
import { writeFileAtomic } from './fs-util.js';
import { FsyncCoalescer } from './fsync-coalescer.js';

/** One committed position: the next offset the group will consume. */
export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
}

interface GroupFile {
  version: 1;
  group: string;
  offsets: Record<string, Record<string, number>>;
}

const SUFFIX = '.offsets.json';

/** File name of a group: URI-encoded, with '.' escaped so no name can be '.', '..' or hidden. */
function groupFileName(group: string): string {
  const name = encodeURIComponent(group).replace(/\./g, '%2E') + SUFFIX;
  if (group.length === 0 || name.length > 255) throw new InvalidArgument(`invalid consumer group id ${JSON.stringify(group)}`);
  return name;
}

function isGroupFile(x: unknown): x is GroupFile {
  if (typeof x !== 'object' || x === null) return false;
  const f = x as Partial<GroupFile>;
  if (f.version !== 1 || typeof f.group !== 'string' || typeof f.offsets !== 'object' || f.offsets === null) return false;
  return Object.values(f.offsets).every(
    (parts) => typeof parts === 'object' && parts !== null && Object.values(parts).every((o) => Number.isSafeInteger(o) && o >= 0),
  );
}

type GroupOffsets = Map<string, Map<number, number>>;

function copyOf(offsets: GroupOffsets | undefined): GroupOffsets {
  return new Map([...(offsets ?? [])].map(([t, parts]) => [t, new Map(parts)]));
}

/**
 * Durable consumer-group offsets: one small JSON file per group, replaced
 * atomically (write temp, fsync, rename, fsync directory), so a crash leaves
 * either the previous or the new commit. Commits of one group are group-
 * committed: one write at a time, and every commit made while one runs is
 * merged (in call order) into the single write that follows it, so a group
 * committing faster than the disk syncs costs one file write per sync, not one
 * per commit. A commit is visible to {@link committed} only once durable.
 */
export class ConsumerOffsetStore {
  /** What is durable, per group. */
  private readonly groups = new Map<string, GroupOffsets>();
  /** What the next write of each group will hold: the durable state with every later commit merged in. */
  private readonly wanted = new Map<string, GroupOffsets>();
  private readonly writers = new Map<string, FsyncCoalescer>();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<ConsumerOffsetStore> {
    await mkdir(dir, { recursive: true });
    const store = new ConsumerOffsetStore(dir);
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      if (name.includes('.tmp-')) {
        await rm(file, { force: true }); // interrupted commit; the previous file is intact
        continue;
      }
      if (!name.endsWith(SUFFIX)) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new EmbeddedLogError('CORRUPT_OFFSETS', `unreadable consumer offsets file ${file}`, { cause: err });
      }
      if (!isGroupFile(parsed)) throw new EmbeddedLogError('CORRUPT_OFFSETS', `malformed consumer offsets file ${file}`);
      const topics = new Map<string, Map<number, number>>();
      for (const [topic, parts] of Object.entries(parsed.offsets)) {
        topics.set(topic, new Map(Object.entries(parts).map(([p, o]) => [Number(p), o])));
      }
      store.groups.set(parsed.group, topics);
    }
    return store;
  }

  /** Last durable commit of `group` for the partition, or undefined. */
  committed(group: string, topic: string, partition: number): number | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** Group ids with at least one commit. */
  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  /** Durably records `entries` for `group` (merged with its earlier commits). */
  async commit(group: string, entries: readonly OffsetCommit[]): Promise<void> {
    const fileName = groupFileName(group);
    for (const e of entries) {
      if (!Number.isSafeInteger(e.offset) || e.offset < 0) throw new InvalidArgument(`invalid offset ${e.offset}`);
    }
    let wanted = this.wanted.get(group);
    if (wanted === undefined) this.wanted.set(group, (wanted = copyOf(this.groups.get(group))));
    for (const e of entries) {
      let parts = wanted.get(e.topic);
      if (parts === undefined) wanted.set(e.topic, (parts = new Map()));
      parts.set(e.partition, e.offset);
    }
    let writer = this.writers.get(group);
    if (writer === undefined) this.writers.set(group, (writer = new FsyncCoalescer(() => this.write(group, fileName))));
    return writer.request();
  }

  /** Writes what `group` wants now; it is durable, and {@link committed}, once this resolves. */
  private async write(group: string, fileName: string): Promise<void> {
    const next = copyOf(this.wanted.get(group));
    const offsets = Object.fromEntries([...next].map(([t, parts]) => [t, Object.fromEntries(parts)]));
    const body: GroupFile = { version: 1, group, offsets };
    await writeFileAtomic(path.join(this.dir, fileName), JSON.stringify(body));
    this.groups.set(group, next);
  }
}
