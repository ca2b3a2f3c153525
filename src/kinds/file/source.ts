import type { z } from 'zod';
import type { SourceIO } from '../../actors/io.js';
import { defineSource } from '../../actors/kind.js';
import { fileSourceConfig } from './source-config.js';
import { onceReader } from './once-reader.js';
import { TailReader } from './tail-reader.js';

export { fileSourceConfig, type FileSourceConfig } from './source-config.js';

/**
 * The `file` source: lines of local files matching globs, as records whose value is the line
 * (without its terminator) and whose headers are `file` (the path) and `truncated: "true"` for a
 * line cut at `maxLineBytes`. `mode: once` reads each file to its end and stops; `mode: tail`
 * follows the files as they grow and rotate until the topology stops. Delivery is at-least-once:
 * positions commit only for acknowledged lines, so a restart repeats at most the lines that were
 * in flight. With logrotate `copytruncate`, lines written between the copy and the truncation are
 * lost (they are in neither file when the tailer looks); `create` (rename) rotation loses nothing.
 *
 * @example
 * sources:
 *   app:
 *     kind: file
 *     mode: tail
 *     paths: [logs/*.log]
 */
export const fileSourceKind = defineSource({
  name: 'file',
  example: { paths: ['logs/*.log'] },
  description: 'Lines of local files: read once, or followed as they grow and rotate (mode: tail).',
  config: fileSourceConfig,
  create(config: z.output<typeof fileSourceConfig>, ctx): SourceIO {
    return config.mode === 'tail' ? new TailReader(config, ctx) : onceReader(config, ctx);
  },
});
