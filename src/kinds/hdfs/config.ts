import { z } from 'zod';
import { backendSchema } from '../../stores/config.js';

const MiB = 1024 * 1024;

/** One cluster: its backend, weight, pollers, globs and health thresholds. */
export const clusterSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .describe(
        'Cluster name: the `source` header and the prefix of every file id `<name>:<path>`.',
      ),
    backend: backendSchema,
    weight: z
      .number()
      .positive()
      .default(1)
      .describe(
        'Preference as a fallback: pollers of a failing cluster move to the healthy cluster of highest weight.',
      ),
    pollers: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe('Pollers (replicas) this cluster owns.'),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .default(['**/*'])
      .describe('Globs relative to the root; dot files only match patterns that name them.'),
    ignore: z
      .array(z.string().min(1))
      .default(['**/*._COPYING_'])
      .describe('Globs of files never taken (by default the temporary names of `hdfs dfs -put`).'),
    connectAttempts: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe(
        'Failed connection attempts in a row after which the cluster counts as unhealthy and lends its pollers.',
      ),
    unhealthyAfterMs: z
      .number()
      .int()
      .positive()
      .default(30_000)
      .describe(
        'A cluster that has been failing this long counts as unhealthy, whatever the attempt count.',
      ),
    probeIntervalMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe(
        'How often an unhealthy cluster is probed (a listing of its root) to get its pollers back.',
      ),
  })
  .describe('One source of files with its own pollers.');
/** A cluster with defaults applied. */
export type ClusterConfig = z.output<typeof clusterSchema>;

/** Where several processes running one topology share the claims of its files. */
export const coordinationSchema = z
  .strictObject({
    database: z
      .string()
      .regex(/^(mysql|mariadb):\/\/.+/, 'expected mysql://user:pass@host:port/db')
      .describe('MariaDB/MySQL server holding the shared claims, mysql://user:pass@host:port/db; use ${VAR} for secrets.'),
    leaseMs: z
      .number()
      .int()
      .min(300)
      .default(30_000)
      .describe('How long a claim outlives its last renewal (renewed every leaseMs/3): a dead process\'s files are taken over after this.'),
    table: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a plain SQL identifier')
      .default('millrace_hdfs_files')
      .describe('Table of the claims and done files, created when missing; one per topology source.'),
  })
  .describe(
    'Shares file claims between processes (on any hosts) running this topology: a file is read by one process at a time, a dead process\'s files are taken over when their leases expire, done files are never read again. Without it, claims are per process (SQLite in the state directory).',
  );
/** Shared claims' settings with defaults applied. */
export type CoordinationConfig = z.output<typeof coordinationSchema>;

/**
 * The `hdfs` source's settings.
 *
 * @example
 * hdfsConfig.parse({ clusters: [{ name: 'a', backend: { type: 'local', dir: './in' } }], watch: true });
 */
export const hdfsConfig = z
  .strictObject({
    clusters: z
      .array(clusterSchema)
      .min(1)
      .refine(
        (cs) => new Set(cs.map((c) => c.name)).size === cs.length,
        'cluster names must be unique',
      )
      .describe('The file sources, each with its own pool of pollers.'),
    pollIntervalMs: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe('How often a cluster is listed for new files.'),
    watch: z
      .boolean()
      .default(false)
      .describe(
        'false: read the files there are, then end once every one is done; true: keep polling forever.',
      ),
    maxFileBytes: z
      .number()
      .int()
      .positive()
      .default(512 * MiB)
      .describe(
        'Larger files are never loaded: they are recorded as rejected with the reason and logged.',
      ),
    minAgeMs: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe(
        'Files modified more recently than this are left for a later listing (half-written files).',
      ),
    coordination: coordinationSchema.optional(),
  })
  .describe(
    'Polls HDFS clusters (or local directories) for files and emits one record per file with its compressed bytes. At-least-once: a file is marked done only when all of its records are acknowledged downstream.',
  );
/** The `hdfs` source's settings with defaults applied. */
export type HdfsConfig = z.output<typeof hdfsConfig>;

/** Replicas the kind runs: one poller per configured poller slot, over all clusters. */
export function totalPollers(config: HdfsConfig): number {
  return config.clusters.reduce((n, c) => n + c.pollers, 0);
}
