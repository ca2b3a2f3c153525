import { z } from 'zod';

/**
 * Settings of the `file` source. `mode: once` (the default) reads every matching file to its end
 * and stops; `mode: tail` follows the files like `tail -F`: appended lines as they arrive, new
 * files matching the globs, rotation by rename (logrotate `create`) and by copy-and-truncate
 * (logrotate `copytruncate`). The tail-only settings are ignored in `once` mode.
 */
export const fileSourceConfig = z
  .strictObject({
    paths: z.array(z.string().min(1)).min(1).describe('Files or globs (fast-glob syntax), relative to the topology file.'),
    mode: z
      .enum(['once', 'tail'])
      .default('once')
      .describe('once: read each matching file to its end, then stop. tail: keep following the files and pick up new ones until stopped.'),
    batchSize: z.number().int().positive().default(1000).describe('Lines per batch (a batch may exceed it by the lines of one read).'),
    maxLineBytes: z.number().int().positive().default(1024 * 1024).describe('Longer lines are cut to this length and flagged with header truncated=true.'),
    headers: z
      .array(z.enum(['file']))
      .default([])
      .describe('Headers put on every record: file (the path of the file the line came from). None by default: each header is carried with every record downstream (into Kafka: encoded per record). A cut line always gets truncated=true.'),
    readBytes: z.number().int().positive().default(256 * 1024).describe('Bytes per read call.'),
    pollIntervalMs: z
      .number()
      .int()
      .positive()
      .default(250)
      .describe('tail: how often a file at its end is checked for growth, truncation and rotation. Appends also wake the tail at once through change events (inotify), where the file system sends them.'),
    scanIntervalMs: z.number().int().positive().default(1000).describe('tail: how often the globs are expanded again to find new files.'),
    rotateWaitMs: z
      .number()
      .int()
      .nonnegative()
      .default(1000)
      .describe('tail: a file renamed or deleted away from its path is read until it has not grown for this long, then finished and closed.'),
    partialLineFlushMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('tail: a last line without LF is held until its LF arrives or it has waited this long; then it is emitted as a line.'),
  })
  .describe(
    'Reads UTF-8 lines from local files. once: each file is read to its end and remembered (by path) only when all of its lines are acknowledged. tail: files are followed as they grow; positions are kept per file identity (device + inode) and committed only for acknowledged lines, so a restart resumes without skipping or repeating acknowledged lines.',
  );

/** The `file` source's settings, defaults applied. */
export type FileSourceConfig = z.output<typeof fileSourceConfig>;
