/**
 * Real crash test: sender and receiver each in their own process, each with its embedded-log
 * queue, killed with SIGKILL mid-stream (the sender, the receiver, or both, in turn) and started
 * again on the same queues. The receiver's queue must end up with every record exactly once, in
 * sequence order (so in order per partition).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskQueue } from '../../src/link/disk-queue.js';
import { eventually } from '../kit/eventually.js';
import { freePort } from '../kit/free-port.js';
import { tempDir } from '../log/helpers.js';
import { recordAt } from './fixtures/records.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'link-child.ts');
const ROUNDS = 12;

interface Side {
  child: ChildProcess;
  /** Last number the child printed for its progress word (`persisted` or `queued`). */
  progress: number;
  /** What a sender printed as `final`: all it queued, once told to stop. */
  final?: number;
  ready: Promise<void>;
}

const alive = new Set<ChildProcess>();
afterAll(() => {
  for (const c of alive) c.kill('SIGKILL');
});

function start(args: string[], word: string, readyWord: string): Side {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  alive.add(child);
  child.on('exit', () => alive.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const side: Side = { child, progress: 0, ready: Promise.resolve() };
  side.ready = new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const [w, n] = line.split(' ');
        if (w === readyWord) resolve();
        if (w === word) side.progress = Math.max(side.progress, Number(n));
        if (w === 'final') side.final = Number(n);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`link child ${args[0]} exited with ${code}: ${stderr}`));
    });
  });
  return side;
}

async function kill(side: Side): Promise<void> {
  if (side.child.exitCode !== null || side.child.signalCode !== null) return;
  const exited = new Promise((resolve) => side.child.once('exit', resolve));
  side.child.kill('SIGKILL');
  await exited;
}

describe('link kill -9', () => {
  it('delivers every record exactly once, in order, when sender, receiver or both are killed mid-stream', async () => {
    const a = await tempDir('millrace-link-kill-a-');
    const b = await tempDir('millrace-link-kill-b-');
    const port = await freePort();
    const receiver = (): Side => start(['receiver', b.dir, String(port)], 'persisted', 'listening');
    // The sender queues records until told to stop, so the stream outlasts the kills however fast the link is.
    const stop = path.join(a.dir, 'stop');
    const sender = (): Side => start(['sender', a.dir, String(port), stop], 'queued', 'queued');
    let r = receiver();
    await r.ready;
    let s = sender();
    let persisted = 0;
    const kills = { sender: 0, receiver: 0, both: 0 };
    let total = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const target = round % 3 === 0 ? 'sender' : round % 3 === 1 ? 'receiver' : 'both';
        // Wait for the stream to move, then kill at a random moment within it.
        const from = Math.max(persisted, r.progress);
        await eventually(() => r.progress > from + 20, { what: `progress in round ${round}`, timeoutMs: 30_000 });
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 60));
        persisted = r.progress;
        if (target !== 'receiver') await kill(s);
        if (target !== 'sender') await kill(r);
        kills[target]++;
        if (target !== 'sender') {
          r = receiver();
          await r.ready;
        }
        if (target !== 'receiver') s = sender();
      }
      await writeFile(stop, '');
      const sending = s;
      await eventually(() => sending.final !== undefined, { what: 'the sender to stop queueing', timeoutMs: 30_000 });
      total = sending.final as number;
      await eventually(() => r.progress >= total, { what: `all ${total} persisted at the receiver`, timeoutMs: 60_000 });
    } finally {
      await kill(s);
      await kill(r);
    }
    expect(kills).toEqual({ sender: ROUNDS / 3, receiver: ROUNDS / 3, both: ROUNDS / 3 });
    const queue = await DiskQueue.open(b.dir);
    try {
      expect(queue.head).toBe(total);
      for (let seq = 1; seq <= total; ) {
        for (const rec of await queue.read(seq, 1000, 4 << 20)) expect(rec).toEqual(recordAt(seq++));
      }
    } finally {
      await queue.close();
      await a.cleanup();
      await b.cleanup();
    }
  }, 180_000);
});
