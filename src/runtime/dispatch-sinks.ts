import type { RegisteredStream } from '../db/stream-definition.js';

/**
 * Registry sink `type` -> the kind that delivers it. A sink entry is `{ type, id?, ...settings }`;
 * its settings are the kind's own (checked by the kind's schema). Adding a kind here makes it
 * usable from the registry.
 */
export const sinkKinds: Readonly<Record<string, string>> = {
  file: 'file',
  hive: 'hive',
  kafka: 'kafka',
  opensearch: 'opensearch',
};

/** Stream record format -> the kafka source's value encoding. */
export const sourceEncodings: Readonly<Record<RegisteredStream['format'], string>> = {
  raw: 'raw',
  text: 'raw',
  json: 'json',
  msgpack: 'msgpack',
};
