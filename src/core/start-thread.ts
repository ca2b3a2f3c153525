import { Worker, type WorkerOptions } from 'node:worker_threads';
import { codeFile, fromSources } from './code-root.js';

/**
 * Starts a worker thread running the module `name` (its path from the code root, without
 * extension, like `runtime/thread-host`). Compiled, that is `dist/<name>.js`; from the TypeScript
 * sources (a checkout, tests) the thread first registers tsx (thread-boot.mjs) and then loads
 * `src/<name>.ts`. `workerData` must be cloneable; it gains `host`.
 *
 * @example
 * const worker = startThread('db/sqlite-thread-host', { path: 'data/millrace.db' });
 */
export function startThread(name: string, workerData: object, options: Omit<WorkerOptions, 'workerData'> = {}): Worker {
  if (fromSources) {
    const host = codeFile(`${name}.ts`).href;
    return new Worker(codeFile('core/thread-boot.mjs'), { ...options, workerData: { ...workerData, host } });
  }
  return new Worker(codeFile(`${name}.js`), { ...options, workerData });
}
