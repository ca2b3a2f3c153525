import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { createTopic, fileSink, sendSeqs, seqsIn, tally } from '../runtime/dispatch-helpers.js';
import { millrace } from './process.js';

describe('millrace dispatch in two processes (real Kafka)', () => {
  const kafka = useKafka();

  it("share a stream's partitions through its group, and a kill -9 of one moves them to the other with every record delivered", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-dispatch-kill-'));
    const registryFile = join(dir, 'streams.db');
    const id = `shared-${Date.now()}`;
    const total = 40_000;
    await createTopic(kafka.brokers, id, 4);
    const registry = await StreamRegistry.open({ path: registryFile });
    await registry.add({ id, sinks: [fileSink('out.txt')] });
    await registry.close();

    // Each process writes its own file (a file sink has one writer), under its own data dir.
    const start = (name: string): ReturnType<typeof millrace> =>
      millrace(['dispatch', '--registry', registryFile, '--brokers', kafka.brokers.join(','), '--data-dir', join(dir, name), '--poll-ms', '500']);
    const out = (name: string): number[] => seqsIn(join(dir, name, 'out.txt'));
    const a = start('a');
    const b = start('b');
    try {
      // A stream still flowing while the group forms and when one member dies.
      const sending = (async () => {
        for (let from = 0; from < total; from += 1000) {
          await sendSeqs(kafka.brokers, id, from, 1000);
          await sleep(150);
        }
      })();
      await eventually(() => out('a').length > 0 && out('b').length > 0, { what: 'both processes delivering', timeoutMs: 90_000 });
      a.proc.kill('SIGKILL');
      expect((await a.exited).signal).toBe('SIGKILL');
      const killedDelivered = out('a').length;
      await sending;
      // b takes over a's partitions after the group's session timeout (30 s) and reads them on from a's last commit.
      await eventually(() => tally([...out('a'), ...out('b')], total).missing === 0, { what: 'every record in one of the files', timeoutMs: 120_000 });
      const { doubled } = tally([...out('a'), ...out('b')], total);
      // Read twice: only what a had written but not committed when it died.
      expect(doubled).toBeLessThanOrEqual(killedDelivered);
      process.stderr.write(`dispatch kill -9: ${killedDelivered} records from the killed process, ${out('b').length} from the survivor, ${doubled} delivered twice\n`);
    } finally {
      a.proc.kill('SIGKILL');
      b.proc.kill('SIGTERM');
      const ended = await b.exited;
      expect(ended.code).toBe(0);
      expect(ended.stderr).toContain('dispatch job stopped');
    }
  }, 240_000);

  it('--once reads each active stream to its end, prints the status and exits 0; a second run resumes from the group and writes nothing again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-dispatch-once-'));
    const registryFile = join(dir, 'streams.db');
    const id = `once-${Date.now()}`;
    await createTopic(kafka.brokers, id, 2);
    await sendSeqs(kafka.brokers, id, 0, 2000);
    const registry = await StreamRegistry.open({ path: registryFile });
    await registry.add({ id, sinks: [fileSink('out.txt')] });
    await registry.add({ id: `${id}-off`, state: 'disabled', sinks: [fileSink('off.txt')] });
    await registry.close();
    const once = (): Promise<{ code: number | null; stdout: string }> =>
      millrace(['dispatch', '--once', '--registry', registryFile, '--brokers', kafka.brokers.join(','), '--data-dir', join(dir, 'data')]).exited;

    const first = await once();
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${id}\\s+${id}\\s+finished\\s+2000\\s+0\\s+0$`, 'm'));
    expect(first.stdout).not.toContain(`${id}-off`);
    expect(tally(seqsIn(join(dir, 'data', 'out.txt')), 2000)).toEqual({ missing: 0, doubled: 0 });

    await sendSeqs(kafka.brokers, id, 2000, 300);
    const second = await once();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^${id}\\s+${id}\\s+finished\\s+300\\s`, 'm'));
    expect(tally(seqsIn(join(dir, 'data', 'out.txt')), 2300)).toEqual({ missing: 0, doubled: 0 });
  }, 120_000);
});
