import { z } from 'zod';

/** How a process reaches ZooKeeper (topology `coordination.zookeeper`, a kafka sink's `lagBlacklist.zookeeper`). */
export const zookeeperSchema = z
  .strictObject({
    connect: z
      .string()
      .regex(/^[^,/\s]+:\d+(,[^,/\s]+:\d+)*(\/\S*)?$/, 'expected host:port[,host:port...][/chroot]')
      .describe('ZooKeeper servers, host:port[,host:port...], optionally with a /chroot.'),
    sessionTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(120_000)
      .default(10_000)
      .describe('Session timeout asked of ZooKeeper: how long after a process dies (or is cut off) its registrations and its writer role go.'),
    root: z
      .string()
      .regex(/^(\/[^/\s]+)+$/, 'expected an absolute ZooKeeper path such as /millrace')
      .default('/millrace')
      .describe('Path under which millrace keeps its nodes; processes that should see each other use the same root.'),
  })
  .describe('A ZooKeeper ensemble (Apache ZooKeeper 3.5 or later).');

/** ZooKeeper settings with defaults applied. */
export type ZookeeperConfig = z.output<typeof zookeeperSchema>;
