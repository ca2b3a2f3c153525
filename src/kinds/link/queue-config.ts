import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_SEGMENT_BYTES } from '../../link/disk-queue.js';

/** Where a link end keeps its disk queue: `queueDir` relative to the topology, else the actor's state directory. */
export function queueDirOf(config: { queueDir?: string | undefined }, ctx: { stateDir: string; baseDir: string }): string {
  return config.queueDir === undefined ? path.join(ctx.stateDir, 'queue') : path.resolve(ctx.baseDir, config.queueDir);
}

/** Segment size of either end's disk queue. */
export const queueSegmentBytes = z
  .number()
  .int()
  .min(4096)
  .default(DEFAULT_SEGMENT_BYTES)
  .describe('Segment size of the disk queue: records are deleted a whole segment at a time once this end is done with them.');

/** The check both ends make of their cap: the segment being written is never trimmed. */
export const capHoldsTwoSegments: [(c: { maxQueueBytes: number; queueSegmentBytes: number }) => boolean, { message: string; path: string[] }] = [
  (c) => c.maxQueueBytes >= 2 * c.queueSegmentBytes,
  { message: 'maxQueueBytes must be at least twice queueSegmentBytes (the segment being written is never trimmed)', path: ['maxQueueBytes'] },
];
