export const ACK = 0x06;
export const NAK = 0x15;

/** One answer a client is owed: ACK or NAK once batch `batch` is committed. */
export interface Owed {
  batch: number;
  readonly ok: boolean;
}

/**
 * One client: a stream connection, or a datagram sender by its bound path. Holds the answers it is
 * owed, in record order, and sends them with `answer`.
 */
export class Connection {
  /** Per record received from this client, in order: whether it was good and the batch it went out in. */
  private readonly owed: Owed[] = [];

  constructor(
    private readonly answer: (bytes: Buffer) => void,
    private readonly ack: boolean,
  ) {}

  /** Notes a record as it arrives; set the answer's `batch` once it goes out (until then it and all after it wait). */
  owe(ok: boolean): Owed {
    const owed = { batch: Number.POSITIVE_INFINITY, ok };
    if (this.ack) this.owed.push(owed);
    return owed;
  }

  /** Answers every record of batches up to `batch`, in order: one byte each. */
  settle(batch: number): void {
    let n = 0;
    while (n < this.owed.length && (this.owed[n] as Owed).batch <= batch) n++;
    if (n === 0) return;
    this.answer(Buffer.from(this.owed.splice(0, n).map((o) => (o.ok ? ACK : NAK))));
  }
}
