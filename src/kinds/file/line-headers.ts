import type { FileSourceConfig } from './source-config.js';

/**
 * The headers of a line read from `file`: `file` (its path) only when the source lists it in
 * `headers` (every header is encoded with every record downstream, e.g. into Kafka, so none is
 * forced), and `truncated: 'true'` on a line cut at maxLineBytes (always: it marks damage).
 * Records without headers carry none (undefined), not an empty object.
 */
export function lineHeaders(config: FileSourceConfig, file: string): { plain: Record<string, string> | undefined; truncated: Record<string, string> } {
  const withFile = config.headers.includes('file');
  return { plain: withFile ? { file } : undefined, truncated: withFile ? { file, truncated: 'true' } : { truncated: 'true' } };
}
