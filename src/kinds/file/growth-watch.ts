import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import { Wake } from '../../core/wake.js';
import type { TailedFile } from './tailed-file.js';

/**
 * Change events (inotify, via fs.watch) on every followed file: a write makes the file due at
 * once and wakes the tail, so a line is read within milliseconds instead of at the file's next
 * poll (`pollIntervalMs`, 250 ms by default). Polling stays: it is the only signal on file
 * systems that send no events (NFS, some FUSE mounts), and it still checks truncation and
 * rotation. When the system refuses more watches (fs.inotify.max_user_watches), the files
 * without one are polled only, after one warning.
 */
export class GrowthWatch {
  readonly wake = new Wake();
  private readonly watchers = new Map<string, FSWatcher>();
  private refused = false;

  constructor(private readonly log: Logger) {}

  /** Watches the files not watched yet and stops watching those no longer followed. */
  sync(files: ReadonlyMap<string, TailedFile>): void {
    for (const [key, watcher] of this.watchers) {
      if (files.has(key)) continue;
      watcher.close();
      this.watchers.delete(key);
    }
    if (this.refused) return;
    for (const [key, f] of files) {
      if (this.watchers.has(key)) continue;
      let watcher: FSWatcher;
      try {
        watcher = watch(f.path, { persistent: false }, () => {
          f.nextPoll = 0;
          this.wake.notify();
        });
      } catch (error) {
        // The path went away since the file was opened: polling finds out what happened to it.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        this.refused = true;
        this.log.warn({ err: (error as Error).message, file: f.path }, `cannot watch ${f.path} for changes (${(error as Error).message}): files without a watch are polled every pollIntervalMs only`);
        return;
      }
      watcher.on('error', () => {
        watcher.close();
        if (this.watchers.get(key) === watcher) this.watchers.delete(key);
      });
      this.watchers.set(key, watcher);
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.wake.notify();
  }
}
