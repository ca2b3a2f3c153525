import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint } from '../actors/io.js';
import type { Json } from '../streams/record.js';

/**
 * One actor's durable position in a file of its own. `set` is cheap (memory) and the value is written to disk at most
 * every `intervalMs` (write to a temp file, fsync, rename), and on {@link flush}. The in-memory
 * value outlives actor restarts, so a restarted actor resumes exactly where its predecessor's
 * acks left off; after a process crash it resumes from the last flushed value (at-least-once).
 */
export class FileCheckpoint implements Checkpoint {
  private value: Json | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly intervalMs: number,
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
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.intervalMs);
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
    this.writing = this.writing.then(() => writeAtomically(this.file, text));
    return this.writing;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text);
  const handle = await open(tmp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/** All checkpoints of one runtime, one file per actor under `<dataDir>/state/`. */
export class CheckpointStore {
  private readonly byActor = new Map<string, FileCheckpoint>();

  constructor(
    private readonly dir: string,
    private readonly intervalMs = 200,
  ) {}

  for(actorId: string): FileCheckpoint {
    let cp = this.byActor.get(actorId);
    if (cp === undefined) {
      mkdirSync(this.dir, { recursive: true });
      cp = new FileCheckpoint(join(this.dir, `${actorId}.json`), this.intervalMs);
      this.byActor.set(actorId, cp);
    }
    return cp;
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.byActor.values()].map((cp) => cp.flush()));
  }
}
