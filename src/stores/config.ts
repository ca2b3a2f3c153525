import { z } from 'zod';

const localBackend = z
  .strictObject({
    type: z.literal('local').describe('A directory on this machine (the embedded default).'),
    dir: z
      .string()
      .min(1)
      .describe('Root directory, relative to the topology file; `paths` match below it.'),
    followSymlinks: z
      .boolean()
      .default(true)
      .describe(
        'Follow symlinks to directories, each real directory (device and inode) at most once, so links back up the tree cannot loop; false: never descend through a directory symlink. Symlinks to files are read either way.',
      ),
  })
  .describe('Files of a local directory.');

const webhdfsBackend = z
  .strictObject({
    type: z.literal('webhdfs').describe('An HDFS cluster through its NameNode REST API.'),
    url: z
      .url()
      .describe('NameNode HTTP base, e.g. http://127.0.0.1:19870 (`/webhdfs/v1` is appended).'),
    user: z.string().min(1).optional().describe('Sent as `user.name` (simple authentication).'),
    root: z
      .string()
      .startsWith('/')
      .default('/')
      .describe('HDFS directory that `paths` are relative to.'),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .default(10_000)
      .describe(
        'Per request: a metadata call must answer, and a read must keep sending bytes, within this time.',
      ),
  })
  .describe(
    'Files of an HDFS cluster via WebHDFS (LISTSTATUS, GETFILESTATUS, OPEN with the DataNode redirect).',
  );

/** Where one cluster's files live. */
export const backendSchema = z
  .discriminatedUnion('type', [localBackend, webhdfsBackend])
  .describe('Where the files live: `local` or `webhdfs`.');
/** A cluster's backend with defaults applied. */
export type BackendConfig = z.output<typeof backendSchema>;
