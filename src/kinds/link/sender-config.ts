import { z } from 'zod';
import { DEFAULT_MAX_FRAME_BYTES } from '../../link/frame.js';
import { DEFAULT_BROTLI_QUALITY } from '../../link/frame-codec.js';
import { isRegExp } from '../../core/reg-exp.js';
import { TOPIC_NAME } from '../../core/topic-name.js';
import { linkSecret, senderTls } from './link-security.js';
import { capHoldsTwoSegments, queueSegmentBytes } from './queue-config.js';

export const linkSenderConfig = z
  .strictObject({
    link: z.string().min(1).describe('Name of the link; the receiver refuses a sender whose name differs.'),
    host: z.string().min(1).describe('Host of the receiver.'),
    port: z.number().int().min(1).max(65535).describe('Port of the receiver.'),
    secret: linkSecret,
    tls: senderTls,
    queueDir: z.string().optional().describe("Directory of the sender's disk queue; defaults to the actor's state directory."),
    defaultTopic: z.string().default('mirror').describe('Topic for records that do not come straight from a kafka source (their stream, when set, wins).'),
    topicSpecs: z
      .boolean()
      .default(false)
      .describe(
        "Read each source topic's partition count and the configs set on it from the topology's transport (the cluster the kafka source reads) and send them with the topic's first record, so a receiver's kafka sink with partition: source creates a missing destination topic alike, and with a later record when they changed (see topicSpecsRefreshMs), so the destination topic follows.",
      ),
    topicSpecsRefreshMs: z
      .number()
      .int()
      .positive()
      .default(300_000)
      .describe('With topicSpecs: how often a mirrored topic is described again; a changed spec (configs, more partitions) goes with the next record of the topic. A record from a partition beyond the last known count is described at once.'),
    maxQueueBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024 * 1024)
      .describe('Bytes the disk queue may take; at this size the sink stops taking batches (the source is held back) until the receiver acknowledges and whole segments are trimmed. At least twice queueSegmentBytes.'),
    queueSegmentBytes,
    windowBytes: z.number().int().positive().default(8 * 1024 * 1024).describe('Compressed bytes in flight before the sender waits for acks.'),
    maxBatchRecords: z.number().int().positive().default(2000).describe('Records per frame at most.'),
    maxBatchBytes: z.number().int().positive().default(1024 * 1024).describe('Uncompressed bytes per frame at most (a larger single record still goes alone).'),
    maxFrameBytes: z.number().int().positive().default(DEFAULT_MAX_FRAME_BYTES).describe('Largest frame accepted from the receiver.'),
    compression: z
      .discriminatedUnion('codec', [
        z.strictObject({ codec: z.literal('lz4') }).describe('LZ4: least CPU; for a LAN or a WAN with bandwidth to spare.'),
        z
          .strictObject({
            codec: z.literal('brotli'),
            quality: z.number().int().min(0).max(11).default(DEFAULT_BROTLI_QUALITY).describe('Brotli quality, 0 (fastest) to 11 (smallest).'),
          })
          .describe('Brotli with a 4 MiB window: about half the bytes of LZ4 on log-like records, for several times the CPU; for a WAN where bandwidth is short.'),
      ])
      .default({ codec: 'lz4' })
      .describe('How data frames are compressed. The receiver reads every codec; each frame names its own.'),
    heartbeat: z
      .strictObject({
        intervalMs: z.number().int().min(10).default(1000).describe('A heartbeat is queued this often, whether records flow or not.'),
        topic: z.string().regex(TOPIC_NAME).default('millrace.heartbeats').describe('Topic of the heartbeat records (one partition; the receiver creates it like a mirrored topic).'),
      })
      .optional()
      .describe(
        "Queue a heartbeat record (key: the link name, value: JSON with the link and the sender's clock) every intervalMs, as MirrorMaker 2's heartbeats: it crosses the link like any record, so the receiver's replicationLatencyMs keeps moving while no records flow, and it lands in the destination's heartbeat topic. Off when absent.",
      ),
    checkpoints: z
      .strictObject({
        groups: z
          .string()
          .default('.*')
          .refine(isRegExp, { message: 'not a valid regular expression' })
          .describe('Regular expression: the consumer groups (of the source cluster) whose offsets are sent.'),
        intervalMs: z.number().int().min(100).default(10_000).describe("How often the groups' offsets are read and queued."),
        topic: z.string().regex(TOPIC_NAME).default('millrace.group-offsets').describe('Topic of the group-offsets records (one partition; the receiver creates it like a mirrored topic).'),
      })
      .optional()
      .describe(
        "Every intervalMs, read the offsets the matching consumer groups committed on the source cluster (the topology's transport, which must be kafka) for the topics this link mirrors, and queue one record per group (key: the group; value: JSON with link, group, ts and offsets). At the destination a checkpoint stage translates them into destination offsets, so a group can move there and go on where it was. Off when absent.",
      ),
    ackTimeoutMs: z.number().int().positive().default(30_000).describe('With frames in flight and no ack for this long, the connection is dropped and made again.'),
    backoff: z
      .strictObject({
        initialMs: z.number().int().positive().default(200).describe('First wait before reconnecting.'),
        maxMs: z
          .number()
          .int()
          .positive()
          .default(2000)
          .describe('Longest wait between reconnects (the wait doubles up to it): after an outage the link resumes within this of the receiver being reachable again.'),
      })
      .default({ initialMs: 200, maxMs: 2000 })
      .describe('Reconnect backoff.'),
  })
  .refine(...capHoldsTwoSegments)
  .describe('Sends records to a link receiver over TCP through a local disk queue.');

export type LinkSenderConfig = z.output<typeof linkSenderConfig>;
