import { TOPIC_NAME } from '../core/topic-name.js';
import { z } from 'zod';

/** Stream ids and topics: Kafka's topic alphabet, so a stream id can be its own topic. */
const nameRule = 'only letters, digits, ".", "_" and "-" (1 to 249 characters)';

const json: z.ZodType<unknown> = z.json();

/**
 * One stream of the registry as it is added or updated. The quota, format, schema, sinks and
 * retention columns are read by the gateway (quota) and by the dispatch issue (#15, the rest).
 */
export const streamDefinition = z.strictObject({
  id: z.string().regex(TOPIC_NAME, `a stream id has ${nameRule}`).describe('The stream id (logId) agents send with every batch.'),
  topic: z.string().regex(TOPIC_NAME, `a topic has ${nameRule}`).optional().describe('Kafka topic of the stream (default: the stream id).'),
  cluster: z.string().min(1).default('default').describe('Name of the Kafka cluster the stream is written to.'),
  state: z.enum(['active', 'disabled']).default('active').describe('active: served; disabled: every batch is refused (NOT_FOUND).'),
  quotaRecordsPerSec: z.number().int().positive().nullable().default(null).describe('Records per second the stream may send (averaged over a second); null: no limit.'),
  quotaBytesPerSec: z.number().int().positive().nullable().default(null).describe('Record bytes per second the stream may send; null: no limit.'),
  name: z.string().default('').describe('Human name of the stream.'),
  owner: z.string().default('').describe('Team or person who owns the stream.'),
  format: z.enum(['raw', 'text', 'json', 'msgpack']).default('raw').describe('Format of the record values (for the dispatch stages).'),
  fieldSchema: json.nullable().default(null).describe('JSON Schema of the record fields (null: none).'),
  sinks: z.array(json).default([]).describe('Where the stream is dispatched to (read by the dispatch stages).'),
  retentionHours: z.number().int().positive().nullable().default(null).describe('How long the stream is kept downstream (null: the topic default).'),
  module: z
    .strictObject({
      path: z.string().min(1).describe('JS or TS module file, absolute or relative to the dispatcher\'s working directory.'),
      export: z.string().min(1).default('default').describe('Name of the exported function.'),
    })
    .nullable()
    .default(null)
    .describe('Projection/filter applied by the dispatch job between Kafka and the sinks: `fn(record)` returns a record, an array of records, or null to drop it (as the map kind); null: records go to the sinks as read.'),
});

export type StreamDefinition = z.output<typeof streamDefinition>;

/** A stream as the registry holds it: the definition with its topic resolved, and its token's hash. */
export interface RegisteredStream extends Omit<StreamDefinition, 'topic'> {
  topic: string;
  /** SHA-256 of the auth token, hex. */
  tokenSha256: string;
}

/** One reason a definition is invalid: the field (dotted path, `stream` for the whole) and why. */
export interface FieldError {
  field: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ field: i.path.join('.') || 'stream', message: i.message }));
}

/** Why a definition is invalid, one line per field: `quotaRecordsPerSec: expected a number`. */
export function definitionErrors(error: z.ZodError): string {
  return fieldErrors(error).map((e) => `${e.field}: ${e.message}`).join('\n');
}
