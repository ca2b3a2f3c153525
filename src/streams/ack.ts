/** How a batch ended for one branch of the graph. A dead-lettered batch counts as handled. */
export type AckOutcome =
  | { ok: true }
  | { ok: false; reason: string };

/**
 * The acknowledgement of one batch, settled exactly once.
 *
 * Fan-out forks the ack (`fork(n)`): the parent settles when every child has, and the worst
 * outcome wins (any failure fails the parent). Settling twice is ignored, so a late duplicate from
 * a redelivered batch can never flip an outcome.
 *
 * @example
 * const ack = Ack.root((o) => tracker.settle(seq, o));
 * const [toDb, toFile] = ack.fork(2);
 * toDb.done(); toFile.fail('disk full'); // parent settles with { ok: false, reason: 'disk full' }
 */
export class Ack {
  private settled = false;

  private constructor(private readonly onSettle: (outcome: AckOutcome) => void) {}

  /** A root ack whose settlement is reported to `onSettle`. */
  static root(onSettle: (outcome: AckOutcome) => void): Ack {
    return new Ack(onSettle);
  }

  /** An ack nobody waits for (tests, records with no source position). */
  static none(): Ack {
    return new Ack(() => undefined);
  }

  /** One ack that settles when all `acks` settle with the worst outcome among them. */
  static all(acks: readonly Ack[]): Ack {
    if (acks.length === 0) return Ack.none();
    return Ack.root((outcome) => {
      for (const ack of acks) ack.settle(outcome);
    });
  }

  get isSettled(): boolean {
    return this.settled;
  }

  done(): void {
    this.settle({ ok: true });
  }

  fail(reason: string): void {
    this.settle({ ok: false, reason });
  }

  settle(outcome: AckOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettle(outcome);
  }

  /**
   * An open-ended split, for outputs produced piece by piece: take a `child()` per piece and
   * `seal()` after the last; this ack settles once sealed and every child has settled.
   */
  openSplit(): { child(): Ack; seal(): void } {
    let pending = 0;
    let sealed = false;
    let failure: string | undefined;
    const check = (): void => {
      if (sealed && pending === 0) this.settle(failure === undefined ? { ok: true } : { ok: false, reason: failure });
    };
    const onChild = (outcome: AckOutcome): void => {
      if (!outcome.ok && failure === undefined) failure = outcome.reason;
      pending -= 1;
      check();
    };
    return {
      child: () => {
        pending += 1;
        return new Ack(onChild);
      },
      seal: () => {
        sealed = true;
        check();
      },
    };
  }

  /** Splits this ack into `n` children; `n = 1` returns this ack itself, `n = 0` settles it now. */
  fork(n: number): Ack[] {
    if (n === 1) return [this];
    if (n <= 0) {
      this.done();
      return [];
    }
    let pending = n;
    let failure: string | undefined;
    const child = (outcome: AckOutcome): void => {
      if (!outcome.ok && failure === undefined) failure = outcome.reason;
      pending -= 1;
      if (pending === 0) this.settle(failure === undefined ? { ok: true } : { ok: false, reason: failure });
    };
    return Array.from({ length: n }, () => new Ack(child));
  }
}
