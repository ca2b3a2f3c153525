import path from 'node:path';

/** Where a link end keeps its disk queue: `queueDir` relative to the topology, else the actor's state directory. */
export function queueDirOf(config: { queueDir?: string | undefined }, ctx: { stateDir: string; baseDir: string }): string {
  return config.queueDir === undefined ? path.join(ctx.stateDir, 'queue') : path.resolve(ctx.baseDir, config.queueDir);
}
