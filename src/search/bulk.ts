import { errorMessage } from '../core/errors.js';
import type { BulkDocument } from './documents.js';

/** What became of the documents of one bulk request. */
export interface BulkOutcome {
  /** Stored: 201 new, 200 overwrote a document with the same id (a redelivery). */
  created: number;
  replaced: number;
  /** Refused for good (mapping errors and other 4xx), with OpenSearch's reason. */
  rejected: { doc: BulkDocument; reason: string }[];
  /** Worth sending again (429, 5xx, the request failed), with the last reason. */
  retry: { doc: BulkDocument; reason: string }[];
}

/** A request the node refused as a whole, where retrying cannot help (credentials, size). */
export class BulkRefused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'BulkRefused';
  }
}

interface ItemError {
  type?: string;
  reason?: string;
  caused_by?: { type?: string; reason?: string };
}

interface BulkAnswer {
  errors?: boolean;
  items?: Record<string, { status?: number; error?: ItemError }>[];
}

// Only what the sink reads: a 1000-document answer shrinks from ~200 KB to a few KB.
const FILTER = 'filter_path=errors,items.*.status,items.*.error';

const retryable = (status: number): boolean => status === 429 || status >= 500;

/**
 * A block on the index or cluster (403 `cluster_block_exception`: read-only after the disk filled
 * up, a closed index) is lifted by an operator, not by changing the document: retried as well.
 */
const blocked = (error: ItemError | undefined): boolean => error?.type === 'cluster_block_exception';

function reasonOf(error: ItemError | undefined, status: number): string {
  if (error === undefined) return `HTTP ${status}`;
  const cause = error.caused_by?.reason === undefined ? '' : ` (caused by ${error.caused_by.type ?? 'error'}: ${error.caused_by.reason})`;
  return `${error.type ?? 'error'}: ${error.reason ?? `HTTP ${status}`}${cause}`;
}

/** Splits documents into bulk requests of at most `maxDocs` documents and `maxBytes` bytes (one larger document alone). */
export function bulkChunks(docs: readonly BulkDocument[], maxDocs: number, maxBytes: number): BulkDocument[][] {
  const chunks: BulkDocument[][] = [];
  let chunk: BulkDocument[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const size = doc.lines.length;
    if (chunk.length > 0 && (chunk.length >= maxDocs || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(doc);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface BulkTarget {
  /** Base URL without a trailing slash. */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** One POST to `_bulk`; sorts each document by its item's status. Throws {@link BulkRefused} on a 4xx answer other than 429. */
export async function sendBulk(target: BulkTarget, docs: readonly BulkDocument[]): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { created: 0, replaced: 0, rejected: [], retry: [] };
  const retryAll = (reason: string): BulkOutcome => ({ ...outcome, retry: docs.map((doc) => ({ doc, reason })) });
  let status: number;
  let text: string;
  try {
    const res = await fetch(`${target.url}/_bulk?${FILTER}`, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/x-ndjson' },
      body: docs.map((d) => d.lines).join(''),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    return retryAll(errorMessage(error));
  }
  if (retryable(status)) return retryAll(`HTTP ${status} ${text.slice(0, 300)}`);
  if (status >= 400) {
    const hint = status === 401 || status === 403 ? ': check username and password' : status === 413 ? ': lower maxBulkBytes below the node\'s http.max_content_length' : '';
    throw new BulkRefused(status, `OpenSearch refused the bulk request to ${target.url} with HTTP ${status}${hint}: ${text.slice(0, 500)}`);
  }
  let answer: BulkAnswer;
  try {
    answer = JSON.parse(text) as BulkAnswer;
  } catch {
    return retryAll(`HTTP ${status} with an answer that is not JSON: ${text.slice(0, 200)}`);
  }
  const items = answer.items ?? [];
  if (items.length !== docs.length) return retryAll(`the bulk answer has ${items.length} items for ${docs.length} documents`);
  docs.forEach((doc, i) => {
    const item = Object.values(items[i] as object)[0] as { status?: number; error?: ItemError } | undefined;
    const s = item?.status ?? 0;
    if (s === 201) outcome.created += 1;
    else if (s >= 200 && s < 300) outcome.replaced += 1;
    else if (s === 0 || retryable(s) || blocked(item?.error)) outcome.retry.push({ doc, reason: reasonOf(item?.error, s) });
    else outcome.rejected.push({ doc, reason: reasonOf(item?.error, s) });
  });
  return outcome;
}
