import { z } from 'zod';
import { retryingPostSettings } from '../../core/retrying-post.js';
import { indexPatternProblem } from '../../search/index-pattern.js';

export const openSearchSinkConfig = z
  .strictObject({
    url: z.url().default('http://127.0.0.1:9200').describe('The OpenSearch node (or the load balancer in front of a cluster); documents go to its bulk API, <url>/_bulk.'),
    index: z
      .string()
      .min(1)
      .superRefine((pattern, ctx) => {
        const problem = indexPatternProblem(pattern);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe("The index each document goes to; `{...}` is the record's event time (UTC) in a date pattern of yyyy, yy, MM, dd and HH, e.g. `logs-{yyyy.MM.dd}` for one index per day."),
    documentId: z
      .enum(['origin', 'field', 'auto'])
      .default('origin')
      .describe(
        "Where document ids come from. origin: the record's source position (kafka topic/partition/offset, file offset in tail mode, link sequence), so a batch delivered again overwrites the same documents (through a stage only the batch's range is known: see the delivery note); field: the record's `idField`; auto: OpenSearch picks ids (a batch delivered again after a failure is indexed twice).",
      ),
    idField: z.string().min(1).optional().describe('The top-level field whose value (text or number) is the document id, for documentId: field.'),
    username: z.string().min(1).optional().describe('User for HTTP basic authentication (a node with the security plugin); with password.'),
    password: z.string().optional().describe('Password for basic authentication; write it as ${ENV_VAR} in topology.yaml.'),
    maxBulkDocuments: z.number().int().positive().default(1000).describe('Documents in one bulk request at most.'),
    maxBulkBytes: z
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024)
      .describe("Bytes of NDJSON in one bulk request at most (a single larger document goes alone); keep it below the node's http.max_content_length."),
    writesInFlight: z.number().int().min(1).max(16).default(2).describe('Batches indexed at once by one replica; each is still acked on its own, in order.'),
    ...retryingPostSettings,
    timeoutMs: z.number().int().positive().default(30_000).describe('Time one bulk request may take before it counts as failed (and is retried).'),
  })
  .refine((c) => c.documentId !== 'field' || c.idField !== undefined, { message: 'documentId: field needs idField (the field that holds the id)', path: ['idField'] })
  .refine((c) => (c.username === undefined) === (c.password === undefined), { message: 'give username and password together', path: ['password'] })
  .describe('Indexes records as JSON documents into OpenSearch through the bulk API, with idempotent document ids; dead-letters documents OpenSearch rejects as malformed.');

export type OpenSearchSinkConfig = z.output<typeof openSearchSinkConfig>;
