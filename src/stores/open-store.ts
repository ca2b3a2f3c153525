import { resolve } from 'node:path';
import type { FileStore, PathFilter } from './backend.js';
import type { BackendConfig } from './config.js';
import { LocalStore } from './local-store.js';
import { WebHdfsStore } from './webhdfs-store.js';

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
