/**
 * Model test of the link's sequence protocol: a source offers records to the sender, which puts
 * them in its disk queue (durable only after a flush; the source re-offers what a crash lost),
 * ships frames over connections that lose and reorder frames and acks, and a receiver that admits
 * frames, makes them durable and acks cumulatively. Either side crashes at any step, losing what
 * it had not flushed. After any such run and a final drain, the receiver's durable queue holds
 * sequence numbers 1..n exactly, each with the source's records in order, none twice.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkProtocolError } from '../../src/link/protocol-error.js';
import { ReceiverSequence, SenderWindow } from '../../src/link/sequence.js';

type Cmd =
  | { kind: 'offer'; n: number }
  | { kind: 'senderFlush' }
  | { kind: 'connect' }
  | { kind: 'send'; maxRecords: number }
  | { kind: 'deliverFrame'; pick: number }
  | { kind: 'dropFrame'; pick: number }
  | { kind: 'receiverFlush' }
  | { kind: 'deliverAck'; pick: number }
  | { kind: 'dropAck'; pick: number }
  | { kind: 'disconnect' }
  | { kind: 'trim' }
  | { kind: 'crashSender' }
  | { kind: 'crashReceiver' };

const pick = fc.nat({ max: 1000 });
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('offer' as const), n: fc.integer({ min: 1, max: 5 }) }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'senderFlush' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'connect' as const }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('send' as const), maxRecords: fc.integer({ min: 1, max: 4 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('deliverFrame' as const), pick }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('dropFrame' as const), pick }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'receiverFlush' as const }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('deliverAck' as const), pick }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('dropAck' as const), pick }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'disconnect' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'trim' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'crashSender' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'crashReceiver' as const }), weight: 1 },
);

/** Guards against a vacuous run: the interesting paths must be taken. */
const coverage = { gapsRefused: 0, staleAcks: 0, senderCrashLost: 0, receiverCrashLost: 0 };

interface Frame {
  first: number;
  records: number[];
}

class World {
  // Source: records 1, 2, 3, ... offered in order; `upstreamAcked` is what the sender made durable.
  offered = 0;
  upstreamAcked = 0;
  // Sender disk queue: durable[i] holds seq tail + i; pending holds unflushed appends.
  senderTail = 1;
  senderDurable: number[] = [];
  senderPending: number[] = [];
  window = new SenderWindow(6);
  /** The sender's durable trim point (what it trimmed had been acknowledged). */
  trimmed = 0;
  // Receiver disk queue: durable records at seq 1.., pending = admitted but not flushed.
  receiverDurable: number[] = [];
  receiverPending: number[] = [];
  receiver = new ReceiverSequence(0);
  connected = false;
  frames: Frame[] = [];
  acks: number[] = [];

  private get senderHead(): number {
    return this.senderTail + this.senderDurable.length + this.senderPending.length - 1;
  }

  private queued(seq: number): number {
    const all = [...this.senderDurable, ...this.senderPending];
    const v = all[seq - this.senderTail];
    if (v === undefined) throw new Error(`sender read seq ${seq} outside its queue [${this.senderTail}, ${this.senderHead}]`);
    return v;
  }

  private close(): void {
    this.connected = false;
    this.frames = [];
    this.acks = [];
  }

  run(cmd: Cmd): void {
    switch (cmd.kind) {
      case 'offer':
        for (let i = 0; i < cmd.n; i++) this.senderPending.push(++this.offered);
        return;
      case 'senderFlush':
        this.senderDurable.push(...this.senderPending);
        this.senderPending = [];
        this.upstreamAcked = this.offered;
        return;
      case 'connect':
        if (this.connected) return;
        this.connected = true;
        // The receiver answers the handshake once what it admitted earlier is durable, so the
        // sequence number it reports is everything it has (acks never run ahead of the resume).
        this.receiverDurable.push(...this.receiverPending);
        this.receiverPending = [];
        this.receiver.durable(this.receiverDurable.length);
        // The sender only ships what is durable: its queue reader sees the flushed part.
        this.window.resume(this.receiver.persisted, this.senderTail, this.senderTail + this.senderDurable.length - 1);
        return;
      case 'send': {
        const durableHead = this.senderTail + this.senderDurable.length - 1;
        if (!this.connected || !this.window.open || this.window.next > durableHead) return;
        const count = Math.min(cmd.maxRecords, durableHead - this.window.next + 1);
        const first = this.window.next;
        const records = Array.from({ length: count }, (_, i) => this.queued(first + i));
        this.frames.push({ first, records });
        this.window.sent(count, count);
        return;
      }
      case 'deliverFrame': {
        if (this.frames.length === 0) return;
        const [f] = this.frames.splice(cmd.pick % this.frames.length, 1) as [Frame];
        try {
          const a = this.receiver.admit(f.first, f.records.length);
          if (a.action === 'append') this.receiverPending.push(...f.records.slice(a.skip, a.skip + a.take));
        } catch (err) {
          if (!(err instanceof LinkProtocolError)) throw err;
          coverage.gapsRefused++;
          this.close();
        }
        return;
      }
      case 'dropFrame':
        if (this.frames.length > 0) this.frames.splice(cmd.pick % this.frames.length, 1);
        return;
      case 'receiverFlush': {
        if (this.receiverPending.length === 0) return;
        this.receiverDurable.push(...this.receiverPending);
        this.receiverPending = [];
        const ack = this.receiver.durable(this.receiverDurable.length);
        if (this.connected) this.acks.push(ack);
        return;
      }
      case 'deliverAck': {
        if (this.acks.length === 0) return;
        const [ack] = this.acks.splice(cmd.pick % this.acks.length, 1) as [number];
        if (ack <= this.window.acked) coverage.staleAcks++;
        this.window.ack(ack);
        return;
      }
      case 'dropAck':
        if (this.acks.length > 0) this.acks.splice(cmd.pick % this.acks.length, 1);
        return;
      case 'disconnect':
        this.close();
        return;
      case 'trim': {
        const drop = Math.min(this.window.acked - this.senderTail + 1, this.senderDurable.length);
        if (drop <= 0) return;
        this.trimmed = this.window.acked;
        this.senderDurable.splice(0, drop);
        this.senderTail += drop;
        return;
      }
      case 'crashSender':
        if (this.senderPending.length > 0) coverage.senderCrashLost++;
        this.senderPending = [];
        // The source re-offers what the sender never made durable.
        this.offered = this.upstreamAcked;
        // A restarted sender starts from its trim point: a receiver reporting less lost data.
        this.window = new SenderWindow(6, this.trimmed);
        this.close();
        return;
      case 'crashReceiver':
        if (this.receiverPending.length > 0) coverage.receiverCrashLost++;
        this.receiverPending = [];
        this.receiver = new ReceiverSequence(this.receiverDurable.length);
        this.close();
        return;
    }
  }

  /**
   * Flushes, reconnects and delivers everything in order until the receiver has it all. A round
   * without progress is the sender's ack timeout: it drops the connection and reconnects.
   */
  drain(): void {
    this.run({ kind: 'senderFlush' });
    let last = -1;
    for (let round = 0; round < 10_000; round++) {
      if (this.receiver.persisted === this.senderHead && this.frames.length === 0) return;
      if (this.receiver.persisted === last) this.run({ kind: 'disconnect' });
      last = this.receiver.persisted;
      this.run({ kind: 'connect' });
      this.run({ kind: 'send', maxRecords: 4 });
      while (this.frames.length > 0) this.run({ kind: 'deliverFrame', pick: 0 });
      this.run({ kind: 'receiverFlush' });
      while (this.acks.length > 0) this.run({ kind: 'deliverAck', pick: 0 });
      this.run({ kind: 'trim' });
    }
    throw new Error('drain did not converge');
  }
}

/**
 * One run that takes every path the coverage counters watch, so they never depend on the random
 * runs happening to take them: a frame that arrives ahead of a gap, an ack that arrives after a
 * larger one, a sender crash with unflushed records and a receiver crash with unflushed frames.
 */
const everyPath: Cmd[] = [
  { kind: 'offer', n: 8 },
  { kind: 'senderFlush' },
  { kind: 'connect' },
  { kind: 'send', maxRecords: 2 },
  { kind: 'deliverFrame', pick: 0 },
  { kind: 'receiverFlush' },
  { kind: 'send', maxRecords: 2 },
  { kind: 'deliverFrame', pick: 0 },
  { kind: 'receiverFlush' },
  { kind: 'deliverAck', pick: 1 },
  { kind: 'deliverAck', pick: 0 },
  { kind: 'send', maxRecords: 1 },
  { kind: 'deliverFrame', pick: 0 },
  { kind: 'crashReceiver' },
  { kind: 'connect' },
  { kind: 'send', maxRecords: 1 },
  { kind: 'send', maxRecords: 1 },
  { kind: 'deliverFrame', pick: 1 },
  { kind: 'offer', n: 2 },
  { kind: 'crashSender' },
  { kind: 'trim' },
];

describe('link sequence protocol (model)', () => {
  it('persists exactly 1..n at the receiver whatever is lost, reordered, reconnected or crashed', () => {
    fc.assert(
      fc.property(fc.array(cmdArb, { minLength: 20, maxLength: 300, size: 'max' }), (cmds) => {
        const w = new World();
        for (const c of cmds) w.run(c);
        w.drain();
        // Everything the source ever had acknowledged, and nothing else, in order, once.
        expect(w.receiverDurable).toEqual(Array.from({ length: w.upstreamAcked }, (_, i) => i + 1));
        expect(w.receiver.persisted).toBe(w.upstreamAcked);
      }),
      { numRuns: 2000, examples: [[everyPath]] },
    );
    expect(coverage.gapsRefused).toBeGreaterThan(0);
    expect(coverage.staleAcks).toBeGreaterThan(0);
    expect(coverage.senderCrashLost).toBeGreaterThan(0);
    expect(coverage.receiverCrashLost).toBeGreaterThan(0);
  });
});
