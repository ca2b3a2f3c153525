import { setTimeout as sleep } from 'node:timers/promises';
import { defineSink } from '../../actors/kind.js';
import { InvalidConfig, NotConnected, errorMessage } from '../../core/errors.js';
import { BulkRefused, bulkChunks, sendBulk, type BulkTarget } from '../../search/bulk.js';
import { openSearchSinkConfig, type OpenSearchSinkConfig } from './config.js';
import { bulkDocuments, type BulkDocument } from '../../search/documents.js';
import { IndexPattern } from '../../search/index-pattern.js';

function targetOf(config: OpenSearchSinkConfig): BulkTarget {
  const headers: Record<string, string> = {};
  if (config.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  return { url: config.url.replace(/\/+$/, ''), headers, timeoutMs: config.timeoutMs };
}

/**
 * The `opensearch` sink: each record's JSON object (a structure, or text/bytes holding one)
 * becomes a document in the index its event time names (`logs-{yyyy.MM.dd}`), sent through the
 * bulk API, `maxBulkDocuments`/`maxBulkBytes` per request.
 *
 * A batch is acked only once every document is stored or dead-lettered. Items OpenSearch rejects
 * for good (mapper_parsing_exception and other 4xx) are dead-lettered with its reason while the
 * rest of the batch is stored; items answered 429 or 5xx, items of an index blocked read-only,
 * and whole requests that fail (timeout, connection refused, 429, 5xx) are sent again after a
 * doubling backoff, only those. After `maxAttempts` the sink reports the node unreachable: the
 * runtime backs off, reconnects and delivers the batch again; documents stored by then are
 * overwritten by the same ids (documentId origin or field), so none is doubled.
 *
 * @example
 * sinks:
 *   search: { kind: opensearch, inputs: [parse], url: http://127.0.0.1:9200, index: 'logs-{yyyy.MM.dd}' }
 */
export const openSearchSinkKind = defineSink({
  name: 'opensearch',
  example: { url: 'http://127.0.0.1:9200', index: 'millrace-example-{yyyy.MM.dd}', documentId: 'field', idField: 'id' },
  description: 'Indexes JSON records into OpenSearch (bulk API, dated indices, idempotent ids); dead-letters what it rejects as malformed.',
  config: openSearchSinkConfig,
  delivery: {
    guarantee: 'idempotent',
    detail:
      'A batch is acked after every document of it is stored (or dead-lettered); a batch delivered again after any failure indexes its documents under the same ids, overwriting instead of doubling them: with documentId: field always, with documentId: origin for records straight from a source with positions (kafka, file in tail mode, link receiver). Through a stage, which keeps only the batch\'s source range, an origin id is that range and the record\'s place in it: a replay cut into other batches gets other ids and is indexed again (use documentId: field there). With documentId: auto it is at-least-once.',
  },
  create(config: OpenSearchSinkConfig, ctx) {
    const target = targetOf(config);
    const indices = new IndexPattern(config.index);
    const counts = { created: 0, replaced: 0, deadLettered: 0, retried: 0, requests: 0, failedRequests: 0 };
    let lastIndex = '';

    /** Sends `docs` in bulk requests; resolves with the ones to send again and the rejected ones. */
    async function sendOnce(docs: readonly BulkDocument[]): Promise<{ retry: { doc: BulkDocument; reason: string }[]; rejected: { doc: BulkDocument; reason: string }[] }> {
      const retry: { doc: BulkDocument; reason: string }[] = [];
      const rejected: { doc: BulkDocument; reason: string }[] = [];
      for (const chunk of bulkChunks(docs, config.maxBulkDocuments, config.maxBulkBytes)) {
        counts.requests += 1;
        const outcome = await sendBulk(target, chunk).catch((error: unknown) => {
          counts.failedRequests += 1;
          // Refused as a whole (credentials, size): a crash, so the runtime restarts, redelivers and finally dead-letters it.
          throw error instanceof BulkRefused ? new Error(`${ctx.id}: ${error.message}`) : error;
        });
        if (outcome.retry.length === chunk.length && outcome.created + outcome.replaced === 0) counts.failedRequests += 1;
        counts.created += outcome.created;
        counts.replaced += outcome.replaced;
        retry.push(...outcome.retry);
        rejected.push(...outcome.rejected);
      }
      return { retry, rejected };
    }

    return {
      writesInFlight: config.writesInFlight,
      async connect() {
        let res: Response;
        try {
          res = await fetch(`${target.url}/`, { headers: target.headers, signal: AbortSignal.timeout(config.timeoutMs) });
        } catch (error) {
          throw new NotConnected(`opensearch sink ${ctx.id}: ${target.url} is unreachable: ${errorMessage(error)}`);
        }
        const text = await res.text();
        if (res.status === 401 || res.status === 403) throw new InvalidConfig(`opensearch sink ${ctx.id}: ${target.url} refused ${config.username === undefined ? 'a request without credentials' : `the credentials of ${config.username}`} (HTTP ${res.status}): set username and password`);
        if (res.status === 429 || res.status >= 500) throw new NotConnected(`opensearch sink ${ctx.id}: ${target.url} answered HTTP ${res.status}: ${text.slice(0, 200)}`);
        let version: unknown;
        try {
          version = (JSON.parse(text) as { version?: { number?: unknown } }).version?.number;
        } catch {
          version = undefined;
        }
        if (!res.ok || typeof version !== 'string') throw new InvalidConfig(`opensearch sink ${ctx.id}: ${target.url} is not an OpenSearch node (GET / answered HTTP ${res.status}: ${text.slice(0, 200)}); check url`);
      },
      async write(batch) {
        const { docs, dead } = bulkDocuments(batch, config, indices);
        let pending: readonly BulkDocument[] = docs;
        for (let attempt = 1; pending.length > 0; attempt++) {
          const { retry, rejected } = await sendOnce(pending);
          for (const { doc, reason } of rejected) dead.push({ record: doc.record, reason: `opensearch sink: OpenSearch rejected the document for index ${doc.index}: ${reason}` });
          if (retry.length === 0) break;
          counts.retried += retry.length;
          const reason = (retry[0] as { reason: string }).reason;
          if (attempt >= config.maxAttempts) throw new NotConnected(`opensearch sink ${ctx.id}: ${retry.length} documents not indexed at ${target.url} after ${attempt} attempts: ${reason}`);
          ctx.log.warn({ attempt, documents: retry.length, reason }, 'opensearch bulk: documents not indexed; retrying');
          await sleep(Math.min(config.maxBackoffMs, config.minBackoffMs * 2 ** (attempt - 1)), undefined, { signal: ctx.signal });
          pending = retry.map((r) => r.doc);
        }
        counts.deadLettered += dead.length;
        lastIndex = docs.at(-1)?.index ?? lastIndex;
        return dead.length > 0 ? { dead } : undefined;
      },
      async close() {},
      status() {
        return { url: target.url, index: lastIndex, indexed: counts.created + counts.replaced, ...counts };
      },
    };
  },
});
