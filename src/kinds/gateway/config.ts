import { z } from 'zod';

const port = z.number().int().min(0).max(65_535);

export const gatewayConfig = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address both endpoints bind; 127.0.0.1 unless told (0.0.0.0 for every interface, with tls).'),
    port: port.describe('Port of the gRPC Transport service (src/gate/transport.proto); 0 picks a free one (shown in status).'),
    httpPort: port.optional().describe('Port of the HTTP/JSON endpoint POST /v1/streams/<id>/records; absent: no HTTP endpoint.'),
    tls: z
      .strictObject({
        cert: z.string().min(1).describe('PEM certificate chain file, relative to the topology file.'),
        key: z.string().min(1).describe('PEM private key file, relative to the topology file.'),
      })
      .optional()
      .describe('Serve both endpoints over TLS; absent: plain text (keep the default 127.0.0.1 then).'),
    registry: z
      .strictObject({
        path: z.string().min(1).default('data/streams.db').describe('SQLite stream registry file, relative to the topology file (`millrace streams` edits it); ignored with url.'),
        url: z
          .string()
          .regex(/^(mysql|mariadb):\/\/.+/, 'expected mysql://user:pass@host:port/db')
          .optional()
          .describe('A MariaDB/MySQL registry instead of the SQLite file: mysql://user:pass@host:port/db; use ${VAR} for secrets.'),
        reloadMs: z.number().int().positive().default(1000).describe('How often the registry is checked for changes; a disabled or removed stream is refused from the next check on.'),
      })
      .prefault({})
      .describe('Where the streams, their topics, tokens and quotas are defined.'),
    queue: z
      .strictObject({
        maxRecords: z.number().int().positive().default(20_000).describe('Records of one stream held at once (queued or on their way to the sinks); beyond it the stream is pushed back.'),
        maxBytes: z.number().int().positive().default(32 * 1024 * 1024).describe('Record bytes of one stream held at once; beyond it the stream is pushed back.'),
      })
      .prefault({})
      .describe('The bounded request queue of each stream.'),
    maxBatchRecords: z.number().int().positive().default(10_000).describe('Most records in one batch; a larger batch is refused with INVALID_ARGUMENT.'),
    maxBatchBytes: z
      .number()
      .int()
      .positive()
      .default(4 * 1024 * 1024)
      .describe('Most bytes of one batch, compressed and decompressed; a larger batch is refused with INVALID_ARGUMENT (gRPC itself refuses messages above this plus 64 KiB with RESOURCE_EXHAUSTED).'),
    clusterHeader: z
      .string()
      .min(1)
      .optional()
      .describe("Put each stream's registry `cluster` on its records in this header, for a kafka sink's `routes` (which removes it); absent: no header."),
    retryAfterMs: z.number().int().positive().default(200).describe('Retry-after told to a stream whose queue is full.'),
    readRecords: z.number().int().positive().default(5000).describe('Most records handed downstream in one read (whole batches of one stream; at least one batch).'),
    sliceMs: z.number().int().positive().default(20).describe('How long reads keep taking from one stream queue before moving on to the next (round-robin).'),
    sequenceWindow: z.number().int().positive().default(1024).describe('Batch sequences remembered per agent and stream to recognise a retried batch as a duplicate.'),
    quality: z
      .boolean()
      .default(true)
      .describe('Count the records of each stream stored downstream, per minute of event time, into the registry database\'s quality tables (hop `gateway`: what `millrace quality` calls received); a batch is answered only once its counts are stored.'),
    maxAgents: z.number().int().positive().default(10_000).describe('Agent/stream pairs whose sequences are remembered; the least recently seen are forgotten beyond it.'),
  })
  .describe('Serves the stream transport (gRPC and HTTP/JSON): batches of registered streams go downstream and are answered only once every sink acked them.');

export type GatewayConfig = z.output<typeof gatewayConfig>;
