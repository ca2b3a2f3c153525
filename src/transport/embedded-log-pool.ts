import { resolve } from 'node:path';
import { EmbeddedLog } from '../log/index.js';

/** A shared handle on an open embedded log; {@link release} it when done. */
export interface EmbeddedLogLease {
  readonly log: EmbeddedLog;
  release(): Promise<void>;
}

const open = new Map<string, { log: Promise<EmbeddedLog>; refs: number }>();
/** Logs being closed: the directory lock is free again only once close() is done. */
const closing = new Map<string, Promise<void>>();

/**
 * Opens the embedded log in `dir` once per process and shares it: the log takes a single-writer
 * lock on its directory, and a topology's kafka sinks and sources (and their replicas) all use the
 * same one. The log is closed when the last lease is released.
 *
 * @example
 * const lease = await acquireEmbeddedLog('/var/lib/millrace/log');
 * await lease.log.append('events', 0, records);
 * await lease.release();
 */
export async function acquireEmbeddedLog(dir: string): Promise<EmbeddedLogLease> {
  const key = resolve(dir);
  let entry = open.get(key);
  if (entry === undefined) {
    const previous = closing.get(key) ?? Promise.resolve();
    const opening = previous.then(() => EmbeddedLog.open({ dir: key }));
    entry = { log: opening, refs: 0 };
    open.set(key, entry);
    // A failed open is forgotten so that the next attempt tries again.
    opening.catch(() => {
      if (open.get(key)?.log === opening) open.delete(key);
    });
  }
  entry.refs += 1;
  const held = entry;
  let log: EmbeddedLog;
  try {
    log = await held.log;
  } catch (error) {
    held.refs -= 1;
    throw error;
  }
  let released = false;
  return {
    log,
    async release() {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      if (open.get(key) === held) open.delete(key);
      const done = log.close().finally(() => {
        if (closing.get(key) === done) closing.delete(key);
      });
      closing.set(key, done);
      await done;
    },
  };
}
