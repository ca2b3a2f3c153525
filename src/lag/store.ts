import { z } from 'zod';

/** A computed blacklist: the excluded partitions of every topic that has some. */
export const blacklistSnapshotSchema = z.strictObject({
  /** When it was computed (ISO time). */
  at: z.string(),
  /** Which instance computed it. */
  writer: z.string(),
  topics: z.record(z.string(), z.array(z.number().int().nonnegative())),
});
export type BlacklistSnapshot = z.output<typeof blacklistSnapshotSchema>;

/**
 * Where the blacklist lives: one instance at a time is its writer (computes and publishes);
 * every instance hears every published snapshot, its own included.
 */
export interface BlacklistStore {
  /** Whether this instance should compute and publish now. */
  writing(): boolean;
  publish(snapshot: BlacklistSnapshot): Promise<void>;
  /** Registers the one listener for published snapshots. */
  onSnapshot(listener: (snapshot: BlacklistSnapshot) => void): void;
  /** For status(): which store, and this instance's role in it. */
  describe(): { store: 'local' | 'zookeeper'; writer: boolean; state: string };
  close(): Promise<void>;
}

/** The store of a single instance: it is always the writer and hears itself. */
export class LocalBlacklistStore implements BlacklistStore {
  private listener: ((snapshot: BlacklistSnapshot) => void) | undefined;

  writing(): boolean {
    return true;
  }

  async publish(snapshot: BlacklistSnapshot): Promise<void> {
    this.listener?.(snapshot);
  }

  onSnapshot(listener: (snapshot: BlacklistSnapshot) => void): void {
    this.listener = listener;
  }

  describe(): { store: 'local'; writer: boolean; state: string } {
    return { store: 'local', writer: true, state: 'ok' };
  }

  async close(): Promise<void> {}
}
