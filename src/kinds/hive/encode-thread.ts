import type { Worker } from 'node:worker_threads';
import { startThread } from '../../core/start-thread.js';
import type { ColumnConfig } from './config.js';
import type { Codec } from './parquet-file.js';
import { transferList, type ColumnData } from './column-builder.js';

/** One file to encode (`data`: the built columns), or a merge of Parquet files. */
export type EncodeRequest = { id: number; codec: Codec } & ({ columns: readonly ColumnConfig[]; data: readonly ColumnData[] } | { files: readonly Uint8Array[] });

/** The thread's answer to request `id`: the Parquet file, or the error. */
export type EncodeReply = { id: number; bytes: Uint8Array } | { id: number; error: string };

/**
 * A thread of its own that turns a commit's columns into a Parquet file (Arrow vectors, then
 * parquet-wasm), so the main thread goes on parsing the next commit's records on another core.
 * Columns cross as their Arrow buffers, transferred; the file comes back transferred. If the
 * thread dies, every open request rejects and the next one starts a new thread.
 */
export class EncodeThread {
  private worker: Worker | undefined;
  private readonly open = new Map<number, { resolve(bytes: Uint8Array): void; reject(e: Error): void }>();
  private nextId = 1;

  /** Starts the thread now, so that the first commit does not wait for it to boot. */
  warm(): void {
    this.worker ??= this.start();
  }

  /** Encodes `data`, whose buffers move to the thread (they are unusable here afterwards). */
  encode(columns: readonly ColumnConfig[], data: readonly ColumnData[], codec: Codec): Promise<Uint8Array> {
    return this.request({ id: this.nextId++, columns, codec, data }, transferList(data));
  }

  merge(files: readonly Uint8Array[], codec: Codec): Promise<Uint8Array> {
    return this.request({ id: this.nextId++, codec, files });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.fail(new Error('the Parquet encoder thread is closed'));
    await worker?.terminate();
  }

  private request(message: EncodeRequest, transfer: ArrayBuffer[] = []): Promise<Uint8Array> {
    const worker = (this.worker ??= this.start());
    return new Promise((resolve, reject) => {
      this.open.set(message.id, { resolve, reject });
      worker.postMessage(message, transfer);
    });
  }

  private start(): Worker {
    const worker = startThread('kinds/hive/encode-thread-host', {});
    worker.unref();
    worker.on('message', (reply: EncodeReply) => {
      const call = this.open.get(reply.id);
      this.open.delete(reply.id);
      if ('error' in reply) call?.reject(new Error(reply.error));
      else call?.resolve(reply.bytes);
    });
    const end = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      this.fail(error);
    };
    worker.on('error', (error: Error) => end(new Error(`the Parquet encoder thread failed: ${error.message}`)));
    worker.on('exit', (code) => end(new Error(`the Parquet encoder thread exited with code ${code}`)));
    return worker;
  }

  private fail(error: Error): void {
    for (const call of this.open.values()) call.reject(error);
    this.open.clear();
  }
}
