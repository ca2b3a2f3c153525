import { z } from 'zod';
import { DEFAULT_MAX_FRAME_BYTES } from '../../link/frame.js';
import { linkSecret, receiverTls } from './link-security.js';
import { capHoldsTwoSegments, queueSegmentBytes } from './queue-config.js';

export const linkReceiverConfig = z
  .strictObject({
    link: z.string().min(1).describe('Name of the link; a sender announcing another name is refused.'),
    host: z.string().min(1).default('127.0.0.1').describe('Address to listen on (0.0.0.0 for every interface).'),
    port: z.number().int().min(0).max(65535).describe('Port to listen on.'),
    secret: linkSecret,
    tls: receiverTls,
    queueDir: z.string().optional().describe("Directory of the receiver's disk queue; defaults to the actor's state directory."),
    batchSize: z.number().int().positive().default(1000).describe('Records per batch handed downstream.'),
    maxQueueBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024 * 1024)
      .describe(
        "Bytes the disk queue may take while downstream has not taken all of it; at this size the receiver stops reading frames and tells the sender it is alive, so the sender's own queue takes the records (holding its source back at its maxQueueBytes). At least twice queueSegmentBytes.",
      ),
    queueSegmentBytes,
    sourceOffsetHeader: z
      .boolean()
      .default(false)
      .describe(
        "Give each record that came straight from a kafka source the header millrace.source-offset (its offset in the source partition), so a checkpoint stage can translate source group offsets into destination offsets exactly. Off: the destination gets the source's headers only (and the kafka sink's millrace.link-seq).",
      ),
    maxFrameBytes: z.number().int().positive().default(DEFAULT_MAX_FRAME_BYTES).describe('Largest frame accepted; a longer length prefix closes the connection.'),
  })
  .refine(...capHoldsTwoSegments)
  .describe('Receives records from link senders into a local disk queue and feeds them downstream.');

export type LinkReceiverConfig = z.output<typeof linkReceiverConfig>;
