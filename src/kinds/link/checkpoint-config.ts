import { z } from 'zod';
import { kafkaTransportSchema } from '../../transport/schema.js';

export const checkpointConfig = z
  .strictObject({
    cluster: kafkaTransportSchema
      .optional()
      .describe("The destination cluster the mirrored topics are in; defaults to the topology's transport."),
    syncGroupOffsets: z
      .boolean()
      .default(false)
      .describe(
        "Also commit each group's checkpoints as its offsets on the destination (Kafka only), so a consumer that moves there just connects and goes on: only while the group has no member on the destination, and only forward (an offset the group committed there itself is never moved back).",
      ),
  })
  .describe(
    "Translates group-offsets records (queued by a link sender with checkpoints, read back from the destination's group-offsets topic) into checkpoints: one record per group and partition, key <group>/<topic>/<partition>, value JSON { link, group, topic, partition, sourceOffset, destinationOffset, ts }. destinationOffset is where a consumer of the destination partition goes on from to read exactly what the group had not read on the source; it needs the receiver's sourceOffsetHeader.",
  );

export type CheckpointConfig = z.output<typeof checkpointConfig>;
