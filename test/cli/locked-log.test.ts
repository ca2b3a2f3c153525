import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../kit/eventually.js';
import { millrace, topologyDir } from './process.js';

describe('millrace run on an embedded log another run holds', () => {
  it('exits 2 at once naming the owner pid, and leaves the first run running', async () => {
    const { dir, file } = topologyDir(`
sources:
  gen: { kind: generator, rate: 200 }
sinks:
  events: { kind: kafka, inputs: [gen], topic: events }
`);
    const first = millrace(['run', file]);
    try {
      const log = join(dir, '.millrace', 'log');
      await eventually(() => existsSync(join(log, 'events')) && readdirSync(join(log, 'events')).length > 0, { what: 'the first run to write its log', timeoutMs: 30_000 });
      const started = Date.now();
      const second = await millrace(['run', file]).exited;
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toContain(`is locked by pid ${first.proc.pid}`);
      expect(second.stderr).toContain('another millrace run is using it');
      // At once: process start and topology load, no restarts (there were 24 over 42 s).
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(first.proc.exitCode).toBeNull();
    } finally {
      first.proc.kill('SIGINT');
      await first.exited;
    }
  }, 90_000);
});
