import { z } from 'zod';
import { zookeeperSchema } from '../../coord/zk-config.js';

/** The kafka sink's `lagBlacklist` setting. */
export const lagBlacklistSchema = z
  .strictObject({
    zookeeper: zookeeperSchema
      .optional()
      .describe('Share the blacklist between all gateway instances writing these topics: one elected instance computes it, the others watch it. Without it, this process computes its own.'),
    groups: z
      .array(z.string().min(1))
      .min(1)
      .describe('Downstream consumer groups whose lag counts: a partition\'s lag is that of the group furthest behind on it.'),
    k: z.number().min(1).default(3).describe('A partition lags when its lag is above k times the smallest lag of its topic (and above floor).'),
    floor: z.number().int().nonnegative().default(10_000).describe('... and above this many records, so small absolute differences never count.'),
    maxShare: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.25)
      .describe('At most this share of a topic\'s partitions is taken out (rounded down; the ones lagging most).'),
    intervalMs: z.number().int().min(500).default(10_000).describe('How often lag is read from the cluster and the blacklist recomputed.'),
  })
  .describe(
    'Takes partitions whose downstream consumers lag far behind out of the rotation of unkeyed records (keyed records keep their partition), and puts them back when the lag drops. Needs a Kafka cluster (not the embedded log).',
  );

export type LagBlacklistConfig = z.output<typeof lagBlacklistSchema>;
