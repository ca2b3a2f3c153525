import { z } from 'zod';

const rateSchema = z
  .strictObject({
    recordsPerSecond: z.number().positive().describe('Records per second the stream may send on average.'),
    burst: z.number().int().positive().describe('Records the stream may send at once after a quiet spell (the bucket size).'),
  })
  .describe('A token bucket: the stream sends at most `burst` records at once and `recordsPerSecond` on average.');

const streamSchema = z
  .strictObject({
    token: z.string().optional().describe("The stream's auth token at the gateway (default: `token`)."),
    rate: rateSchema.optional().describe('Flow control for this stream (default: `rate`).'),
  })
  .describe('Settings of one stream id.');

const spillSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Spill batches the gateway cannot take now to the local disk queue (a write is then done once fsynced there). false: a write waits for the gateway Ack, retrying.'),
    dir: z.string().optional().describe("Directory of the disk queue (relative to the topology); defaults to the actor's state directory."),
    maxBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024 * 1024)
      .describe('Bytes the disk queue may take. At least twice segmentBytes.'),
    atCap: z
      .enum(['block', 'drop-oldest'])
      .default('block')
      .describe('At maxBytes: `block` holds the input back until replayed batches free room; `drop-oldest` deletes the oldest queued batches (counted as dropped).'),
    segmentBytes: z.number().int().min(4096).default(16 * 1024 * 1024).describe('Segment size of the disk queue: replayed batches are deleted a whole segment at a time.'),
    replayInFlight: z.number().int().positive().default(64).describe('Queued batches read ahead while replaying: streams within this window replay side by side, each in order.'),
  })
  .describe('The local disk queue for batches the gateway cannot take now.');

export const agentSinkConfig = z
  .strictObject({
    gateways: z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'a gateway address is host:port'))
      .min(1)
      .describe('Gateway addresses (host:port), in order of preference: batches go to the first healthy one.'),
    agentId: z.string().min(1).optional().describe('Who sends (default: host name and actor id); each start adds its start time so batch sequence numbers never repeat.'),
    defaultStream: z.string().min(1).optional().describe('Stream id for records that carry none; without it such records are dead-lettered.'),
    token: z.string().default('').describe('Auth token sent with every batch whose stream has no token of its own.'),
    streams: z.record(z.string(), streamSchema).default({}).describe('Per stream id: token and rate.'),
    rate: rateSchema.optional().describe('Flow control for every stream without a rate of its own (default: none).'),
    maxBatchRecords: z.number().int().positive().default(1000).describe('Records per gateway batch at most.'),
    maxBatchBytes: z.number().int().positive().default(1024 * 1024).describe('Uncompressed value bytes per gateway batch at most (a larger single record goes alone).'),
    timeoutMs: z.number().int().positive().default(10_000).describe('Deadline of one Send: without an answer by then the attempt has failed.'),
    backoff: z
      .strictObject({
        initialMs: z.number().int().positive().default(100).describe('Upper bound of the first wait after a failed Send.'),
        maxMs: z.number().int().positive().default(10_000).describe('Largest upper bound (it doubles per failure); the wait is uniform in [0, bound] (full jitter).'),
      })
      .default({ initialMs: 100, maxMs: 10_000 })
      .describe('Backoff between attempts of a batch; a `retry-after-ms` trailer on RESOURCE_EXHAUSTED is waited at least.'),
    health: z
      .strictObject({
        intervalMs: z.number().int().positive().default(2000).describe('How often each gateway is asked Health.'),
        timeoutMs: z.number().int().positive().default(1000).describe('Deadline of a Health call; no answer counts as unhealthy.'),
      })
      .default({ intervalMs: 2000, timeoutMs: 1000 })
      .describe('Health checks: a gateway that fails one is skipped until it answers serving again.'),
    spill: spillSchema.default(spillSchema.parse({})),
  })
  .refine((c) => c.spill.maxBytes >= 2 * c.spill.segmentBytes, {
    message: 'spill.maxBytes must be at least twice spill.segmentBytes (the segment being written is never deleted)',
    path: ['spill', 'maxBytes'],
  })
  .describe('Sends records to a millrace gateway over gRPC, per stream, acked batches only.');

export type AgentSinkConfig = z.output<typeof agentSinkConfig>;
export type RateConfig = z.output<typeof rateSchema>;
