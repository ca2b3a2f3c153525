import type { Worker } from 'node:worker_threads';
import { startThread } from '../core/start-thread.js';
import type { SqliteEngineConfig } from './config.js';
import type { SqlParam } from './database.js';

/** What the writer thread is started with. */
export interface WriterSetup extends Pick<SqliteEngineConfig, 'busyTimeoutMs' | 'synchronous' | 'summary'> {
  path: string;
  table: string;
}

/** Rows to insert, or without `flat`: close the connection. */
export interface WriterRequest {
  id: number;
  flat?: SqlParam[];
}

/** The thread's answer to request `id` (0: it is ready). */
export type WriterReply = { id: number; inserted: number } | { id: number; error: string };

/**
 * A thread of its own that runs a SQLite database's inserts, so the B-tree work (most of a row's
 * cost) runs on another core while the main thread goes on parsing. Rows cross as flat column
 * values (see `flatRows`), the cheapest shape to copy between threads. An insert resolves after
 * its transaction committed, or rejects with the SQLite error; if the thread dies, every open
 * insert rejects, and so does every later one.
 */
export class SqliteWriterThread {
  private readonly worker: Worker;
  private readonly open = new Map<number, { resolve(n: number): void; reject(e: Error): void }>();
  private nextId = 1;
  private ended: Error | undefined;
  /** Settles once the thread has opened its connection. */
  readonly ready: Promise<number>;

  constructor(setup: WriterSetup) {
    this.ready = new Promise((resolve, reject) => this.open.set(0, { resolve, reject }));
    this.worker = startThread('db/sqlite-thread-host', setup);
    this.worker.on('message', (reply: WriterReply) => {
      const call = this.open.get(reply.id);
      this.open.delete(reply.id);
      if ('error' in reply) call?.reject(new Error(reply.error));
      else call?.resolve(reply.inserted);
    });
    this.worker.on('error', (error: Error) => this.end(new Error(`the SQLite writer thread of ${setup.path} failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.end(new Error(`the SQLite writer thread of ${setup.path} exited with code ${code}`)));
  }

  /** Stores flat rows in one transaction; resolves with how many were new. */
  insert(flat: SqlParam[]): Promise<number> {
    return this.request({ id: this.nextId++, flat });
  }

  /** Closes the thread's connection (when the thread still runs), then ends the thread. */
  async close(): Promise<void> {
    if (this.ended === undefined) await this.request({ id: this.nextId++ }).catch(() => undefined);
    this.end(new Error('the SQLite writer thread is closed'));
    await this.worker.terminate();
  }

  private request(message: WriterRequest): Promise<number> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.open.set(message.id, { resolve, reject });
      this.worker.postMessage(message);
    });
  }

  private end(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    for (const call of this.open.values()) call.reject(error);
    this.open.clear();
  }
}
