import { resolve } from 'node:path';
import type { FileStore } from './backend.js';
import type { ClusterConfig } from '../kinds/hdfs/config.js';
import { LocalStore } from './local-store.js';
import { WebHdfsStore } from './webhdfs-store.js';

/**
 * The {@link FileStore} a cluster's `backend` names; a local `dir` resolves against `baseDir`
 * (the topology file's directory).
 *
 * @example
 * const store = openStore(config.clusters[0], ctx.baseDir);
 */
export function openStore(c: ClusterConfig, baseDir: string): FileStore {
  const filter = { paths: c.paths, ignore: c.ignore };
  const b = c.backend;
  return b.type === 'local'
    ? new LocalStore(resolve(baseDir, b.dir), filter)
    : new WebHdfsStore(b, filter);
}
