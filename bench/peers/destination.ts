/** Counting the records a peer has delivered: offsets of a Kafka topic, or lines of a file. */
import { openSync, readSync, closeSync, existsSync } from 'node:fs';
import type { Admin } from 'kafkajs';

export interface Destination {
  describe: string;
  /** Records delivered so far. */
  count(): Promise<number>;
}

/**
 * Records in `topic`: the sum over partitions of high watermark minus log start. Producers here
 * write no transactions, so every offset is one record.
 */
export function kafkaTopic(admin: Admin, topic: string): Destination {
  return {
    describe: `topic ${topic}`,
    async count() {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    },
  };
}

/** LF-terminated lines in `path`, read incrementally (the file only grows during a run). */
export function fileLines(path: string): Destination {
  let offset = 0;
  let lines = 0;
  const buf = Buffer.alloc(1 << 20);
  return {
    describe: `file ${path}`,
    async count() {
      if (!existsSync(path)) return 0;
      const fd = openSync(path, 'r');
      try {
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, offset);
          if (n === 0) break;
          offset += n;
          for (let i = buf.indexOf(10); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
        }
      } finally {
        closeSync(fd);
      }
      return lines;
    },
  };
}
