import { createHash } from 'node:crypto';
import type { Batch } from '../streams/batch.js';
import type { Json, LogRecord } from '../streams/record.js';
import type { IndexPattern } from './index-pattern.js';

/** A record ready for the bulk API: its action line and its source as one line of JSON each. */
export interface BulkDocument {
  readonly record: LogRecord;
  readonly index: string;
  /** `{"index":{...}}` and the document, newline-terminated. */
  readonly lines: string;
}

/** Where documents go and where their ids come from (the opensearch sink's settings of those names). */
export interface DocumentOptions {
  /** The index pattern, for messages. */
  readonly index: string;
  readonly documentId: 'origin' | 'field' | 'auto';
  readonly idField?: string;
}

/** A record that cannot be a document, and why. */
export interface Unindexable {
  record: LogRecord;
  reason: string;
}

/** OpenSearch's limit on an `_id`, in UTF-8 bytes; longer ids are replaced by their SHA-1. */
const MAX_ID_BYTES = 512;

/** The record's value as a JSON object (text and bytes are parsed), or why it is none. */
function sourceOf(record: LogRecord): { source: { [key: string]: Json }; text?: string } | { reason: string } {
  const v = record.value;
  if (typeof v === 'object' && !(v instanceof Uint8Array)) return { source: v };
  const text = typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { reason: `not a JSON document: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { reason: 'not a JSON object: OpenSearch documents are objects' };
  // Text without line breaks goes out as it came: the bulk body is one JSON value per line.
  return { source: parsed as { [key: string]: Json }, ...(!/[\r\n]/.test(text) && { text }) };
}

function idText(id: string): string {
  return Buffer.byteLength(id) <= MAX_ID_BYTES ? id : createHash('sha1').update(id).digest('hex');
}

/**
 * The ids of a batch's records under `documentId: origin`: the source position of each record
 * (`<stream>@<position>`), or, through a stage that does not keep positions, the batch's source
 * range and the record's place in it (the same ids again only when a replay is cut into the same
 * batches; the kind's delivery note says so).
 */
function originIds(batch: Batch): string[] | undefined {
  const o = batch.origin;
  if (o === undefined) return undefined;
  const p = o.positions;
  if (p !== undefined && p.length === batch.records.length) return p.map((pos) => `${o.stream}@${pos}`);
  return batch.records.map((_, i) => `${o.stream}@${o.start}-${o.end}#${i}`);
}

/** Turns a batch into bulk documents; what cannot be one is dead-lettered with the reason. */
export function bulkDocuments(batch: Batch, config: DocumentOptions, indices: IndexPattern): { docs: BulkDocument[]; dead: Unindexable[] } {
  const docs: BulkDocument[] = [];
  const dead: Unindexable[] = [];
  const ids = config.documentId === 'origin' ? originIds(batch) : undefined;
  batch.records.forEach((record, i) => {
    const reject = (why: string): void => void dead.push({ record, reason: `opensearch sink: ${why}` });
    const index = indices.indexFor(record.ts);
    if (index === undefined) return reject(`the record's event time ${record.ts} is not a date, so it has no index under ${config.index}`);
    const doc = sourceOf(record);
    if ('reason' in doc) return reject(doc.reason);
    let id: string | undefined;
    if (config.documentId === 'origin') {
      if (ids === undefined) return reject('the record has no source position for its document id (documentId: origin needs a source that gives positions: kafka, file in tail mode, link receiver); set documentId to field or auto');
      id = ids[i];
    } else if (config.documentId === 'field') {
      const field = config.idField as string;
      const value = doc.source[field];
      if (typeof value !== 'string' && typeof value !== 'number') return reject(`the id field ${field} is ${value === undefined ? 'missing' : 'not text or a number'}`);
      if (value === '') return reject(`the id field ${field} is empty`);
      id = String(value);
    }
    const action = JSON.stringify({ index: id === undefined ? { _index: index } : { _index: index, _id: idText(id) } });
    docs.push({ record, index, lines: `${action}\n${doc.text ?? JSON.stringify(doc.source)}\n` });
  });
  return { docs, dead };
}
