import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running the module `name` next to the caller (`callerUrl` is the
 * caller's `import.meta.url`, `name` like `./thread-host`, without extension). Compiled, that is
 * `name.js`; from the TypeScript sources (a checkout, tests) the thread first registers tsx
 * (thread-boot.mjs) and then loads `name.ts`. `workerData` must be cloneable; it gains `host`.
 *
 * @example
 * const worker = startThread(import.meta.url, '../runtime/sqlite-thread-host', { path: 'data/millrace.db' });
 */
export function startThread(callerUrl: string, name: string, workerData: object, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  if (new URL(callerUrl).pathname.endsWith('.ts')) {
    const host = new URL(`${name}.ts`, callerUrl).href;
    return new Worker(new URL('./thread-boot.mjs', import.meta.url), { ...options, workerData: { ...workerData, host } });
  }
  return new Worker(new URL(`${name}.js`, callerUrl), { ...options, workerData });
}
