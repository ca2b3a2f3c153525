import { resolve } from 'node:path';
import type { FileStore, PathFilter } from './backend.js';
import type { BackendConfig } from './config.js';
import { LocalStore } from './local-store.js';
import { LocalWritableStore } from './local-writable-store.js';
import { WebHdfsStore } from './webhdfs-store.js';
import { WebHdfsWritableStore } from './webhdfs-writable-store.js';
import type { WritableStore } from './writable.js';

/**
 * The {@link FileStore} a `backend` config names; a local `dir` resolves against `baseDir` (the
 * topology file's directory).
 *
 * @example
 * const store = openStore(cluster.backend, { paths: cluster.paths, ignore: cluster.ignore }, ctx.baseDir);
 */
export function openStore(backend: BackendConfig, filter: PathFilter, baseDir: string): FileStore {
  return backend.type === 'local'
    ? new LocalStore(resolve(baseDir, backend.dir), filter, backend.followSymlinks)
    : new WebHdfsStore(backend, filter);
}

/** The {@link WritableStore} a `backend` config names; a local `dir` resolves against `baseDir`. */
export function openWritableStore(backend: BackendConfig, baseDir: string): WritableStore {
  return backend.type === 'local' ? new LocalWritableStore(resolve(baseDir, backend.dir)) : new WebHdfsWritableStore(backend);
}
