import type net from 'node:net';
import type { FrameReader } from './socket-frames.js';

export const ACK = 0x06;
export const NAK = 0x15;

/** One client connection: its frame reader and the answers it is owed, in record order. */
export class Connection {
  /** Per record taken from this connection: the batch it went out in and whether it was good. */
  private readonly owed: { batch: number; ok: boolean }[] = [];
  records = 0;
  malformed = 0;

  constructor(
    readonly socket: net.Socket,
    readonly reader: FrameReader,
    private readonly ack: boolean,
  ) {}

  /** Notes a record (good or malformed) that goes out in `batch`. */
  owe(batch: number, ok: boolean): void {
    if (this.ack) this.owed.push({ batch, ok });
  }

  /** Answers every record of batches up to `batch`, in order: one byte each. */
  settle(batch: number): void {
    let n = 0;
    while (n < this.owed.length && (this.owed[n] as { batch: number }).batch <= batch) n++;
    if (n === 0) return;
    const answers = Buffer.from(this.owed.splice(0, n).map((o) => (o.ok ? ACK : NAK)));
    if (this.socket.writable) this.socket.write(answers);
  }
}
