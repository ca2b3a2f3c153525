/**
 * Sender and receiver of a mirror link as real millrace processes over TCP, each with its own
 * disk queue: the sender reads a 3-partition topic of an embedded log (the "source cluster")
 * through the kafka source, the receiver writes what arrives to a file. Both are killed with
 * SIGKILL mid-stream and started again; every record must arrive exactly once, in order per
 * partition.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedLog } from '../../src/log/index.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { millrace, topologyDir, type Exited } from '../cli/process.js';

const PARTITIONS = 3;
const PER_PARTITION = 20_000;
const TOTAL = PARTITIONS * PER_PARTITION;

async function sourceLog(dir: string): Promise<void> {
  const log = await EmbeddedLog.open({ dir });
  await log.createTopic('orders', { partitions: PARTITIONS });
  for (let p = 0; p < PARTITIONS; p++) {
    for (let i = 0; i < PER_PARTITION; i += 1000) {
      await log.append('orders', p, Array.from({ length: 1000 }, (_, j) => ({ value: Buffer.from(`p${p} n${i + j} ${'x'.repeat(80)}`), key: `k${p}`, ts: 1_700_000_000_000 + i + j })));
    }
  }
  await log.close();
}

function lines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

describe('mirror link under kill -9', () => {
  it('delivers every record exactly once, in order per partition, when sender and receiver are killed mid-stream', async () => {
    const port = await freePort();
    const sender = topologyDir('');
    const srcLog = join(sender.dir, 'source-cluster');
    await sourceLog(srcLog);
    const senderYaml = `name: sender
dataDir: data
transport: { type: embedded, dir: ${JSON.stringify(srcLog)} }
sources:
  in: { kind: kafka, topics: [orders], group: mirror, encoding: raw }
sinks:
  out: { kind: link, inputs: [in], link: test-link, host: 127.0.0.1, port: ${port}, maxBatchRecords: 200, ackTimeoutMs: 5000, backoff: { initialMs: 50, maxMs: 500 }, queueSegmentBytes: 65536, maxQueueBytes: 262144 }
`;
    const receiver = topologyDir(`name: receiver
dataDir: data
sources:
  in: { kind: link, link: test-link, host: 127.0.0.1, port: ${port}, batchSize: 300 }
sinks:
  out: { kind: file, inputs: [in], path: out/mirrored.log, fsync: never }
`);
    writeFileSync(sender.file, senderYaml);
    const out = join(receiver.dir, 'out', 'mirrored.log');

    const running: { proc: ChildProcess; exited: Promise<Exited> }[] = [];
    const start = (file: string): { proc: ChildProcess; exited: Promise<Exited> } => {
      const p = millrace(['run', file]);
      running.push(p);
      return p;
    };
    const atKill: number[] = [];
    const kill = async (p: { proc: ChildProcess; exited: Promise<Exited> }): Promise<void> => {
      p.proc.kill('SIGKILL');
      atKill.push(lines(out).length);
      expect((await p.exited).signal).toBe('SIGKILL');
    };
    try {
      let rcv = start(receiver.file);
      let snd = start(sender.file);
      const progress = async (n: number): Promise<void> => {
        await eventually(() => lines(out).length >= n, { what: `${n} mirrored lines`, timeoutMs: 60_000, intervalMs: 5 });
      };
      await progress(1);
      await kill(snd);
      snd = start(sender.file);
      await progress(TOTAL * 0.3);
      await kill(rcv);
      rcv = start(receiver.file);
      await progress(TOTAL * 0.5);
      await Promise.all([kill(rcv), kill(snd)]);
      rcv = start(receiver.file);
      snd = start(sender.file);
      await eventually(() => lines(out).length >= TOTAL, { what: 'every line', timeoutMs: 60_000, intervalMs: 50 });
      // Nothing more arrives later (no late duplicates).
      await new Promise((r) => setTimeout(r, 1000));
      const got = lines(out);
      expect(got.length).toBe(TOTAL);
      const values = got.map((l) => (JSON.parse(l) as { value: string }).value);
      // Every kill happened with records still on the way.
      expect(Math.max(...atKill)).toBeLessThan(TOTAL);
      for (let p = 0; p < PARTITIONS; p++) {
        const mine = values.filter((v) => v.startsWith(`p${p} `)).map((v) => Number(/ n(\d+) /.exec(v)?.[1]));
        expect(mine).toEqual(Array.from({ length: PER_PARTITION }, (_, i) => i));
      }
    } catch (err) {
      for (const p of running) p.proc.kill('SIGKILL');
      const outputs = await Promise.all(running.map((p) => p.exited));
      throw new Error(`${(err as Error).message}\n${outputs.map((o, i) => `--- process ${i}:\n${o.stderr.slice(-3000)}${o.stdout.slice(-3000)}`).join('\n')}`, { cause: err });
    } finally {
      for (const p of running) p.proc.kill('SIGKILL');
      await Promise.all(running.map((p) => p.exited));
    }
  }, 180_000);
});
