import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/index.js';
import { embeddedGroup, type TopicPartition } from '../../src/transport/embedded-group.js';

function member(topics: readonly string[] | RegExp): { topics: readonly string[] | RegExp; parts: TopicPartition[]; assigned(p: TopicPartition[]): void } {
  return {
    topics,
    parts: [],
    assigned(p) {
      this.parts = p;
    },
  };
}

describe('embedded consumer groups', () => {
  it('share every subscribed partition among the members, each exactly once, and hand them back when a member leaves', async () => {
    const log = await EmbeddedLog.open({ dir: mkdtempSync(join(tmpdir(), 'millrace-group-')) });
    try {
      await log.createTopic('logs', { partitions: 4 });
      await log.createTopic('metrics', { partitions: 2 });
      const group = embeddedGroup(log, 'g');
      const a = member(['logs', 'metrics']);
      const b = member(/^log/);
      group.join(a);
      expect(a.parts).toHaveLength(6);
      group.join(b);
      const all = [...a.parts, ...b.parts].map((p) => `${p.topic}/${p.partition}`).sort();
      expect(all).toEqual(['logs/0', 'logs/1', 'logs/2', 'logs/3', 'metrics/0', 'metrics/1']);
      expect(b.parts.every((p) => p.topic === 'logs')).toBe(true);
      expect(b.parts.length).toBeGreaterThan(0);
      group.leave(b);
      expect(a.parts).toHaveLength(6);
      expect(embeddedGroup(log, 'other').size).toBe(0);
    } finally {
      await log.close();
    }
  });
});
