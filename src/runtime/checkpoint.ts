import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint } from '../actors/io.js';
import { writeFileAtomic } from '../log/fs-util.js';
import type { Json } from '../streams/record.js';

/** Told when a timed write of a checkpoint failed (it is retried at the next interval). */
export type CheckpointWriteFailed = (file: string, error: unknown) => void;

/**
 * One actor's durable position in a file of its own. `set` is cheap (memory) and the value is written to disk at most
 * every `intervalMs` (write to a temp file, fsync, rename), and on {@link flush}. The in-memory
 * value outlives actor restarts, so a restarted actor resumes exactly where its predecessor's
 * acks left off; after a process crash it resumes from the last flushed value (at-least-once).
 * A write that fails leaves the value to write again: the timer retries it (reporting the failure
 * to `onFailed`), an explicit flush rejects with it, and neither stops later writes.
 */
export class FileCheckpoint implements Checkpoint {
  private value: Json | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly intervalMs: number,
    private readonly onFailed: CheckpointWriteFailed = () => undefined,
  ) {
    try {
      this.value = JSON.parse(readFileSync(file, 'utf8')) as Json;
    } catch {
      this.value = undefined;
    }
  }

  get(): Json | undefined {
    return this.value;
  }

  set(value: Json): void {
    this.value = value;
    this.dirty = true;
    this.schedule();
  }

  /** Writes the current value if it changed; resolves once it is on disk. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return this.writing;
    this.dirty = false;
    const text = JSON.stringify(this.value);
    // After a failed write the chain goes on: each write stands on its own.
    const write = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, text));
    this.writing = write;
    write.catch(() => {
      this.dirty = true;
    });
    return write;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => {
        this.onFailed(this.file, error);
        this.schedule();
      });
    }, this.intervalMs);
  }
}

/** All checkpoints of one runtime, one file per actor under `<dataDir>/state/`. */
export class CheckpointStore {
  private readonly byActor = new Map<string, FileCheckpoint>();

  constructor(
    private readonly dir: string,
    private readonly intervalMs = 200,
    private readonly onFailed?: CheckpointWriteFailed,
  ) {}

  for(actorId: string): FileCheckpoint {
    let cp = this.byActor.get(actorId);
    if (cp === undefined) {
      mkdirSync(this.dir, { recursive: true });
      cp = new FileCheckpoint(join(this.dir, `${actorId}.json`), this.intervalMs, this.onFailed);
      this.byActor.set(actorId, cp);
    }
    return cp;
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.byActor.values()].map((cp) => cp.flush()));
  }
}
